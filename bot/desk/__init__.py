"""The platform-neutral command desk."""
