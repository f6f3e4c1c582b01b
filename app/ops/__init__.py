"""Running Holdplads in production: health checks, request logs, backups."""
