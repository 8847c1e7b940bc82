"""The ticket a user sends and the receipt the support backend answers with."""
