"""Sales pages, one module per screen; sales/urls.py names them."""
