"""Page components: layout only; they read state vars and bind handlers."""
