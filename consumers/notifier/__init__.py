"""The notifier: job events become signed webhooks to the client's URL (Standard Webhooks),
retried through the bus's delay queues, every attempt recorded in `webhook_deliveries`."""
