"""The resident side: private chats with the bot."""
