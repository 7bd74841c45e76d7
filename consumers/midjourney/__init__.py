"""Midjourney through the web app of midjourney.com, in a browser session per account."""
