"""Facts and day × dimension cells behind the dashboard, and how they are kept current."""
