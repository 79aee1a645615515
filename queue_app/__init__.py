"""Queue System: a self-hosted, real-time virtual queue."""
