"""The provider runtime shared by Midjourney, Ideogram and ChatGPT: accounts, a browser session
per account, the job runner and the per-account consumer."""
