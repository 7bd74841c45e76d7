"""ChatGPT through chatgpt.com in a logged-in browser profile per account: a custom GPT that
remixes designs, and plain chat."""
