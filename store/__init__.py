"""Where things stay: Postgres (Supabase) rows and object storage."""
