"""Autoposter: self-hosted publishing to TikTok through TikTok's official APIs."""

__version__ = "0.1.0"
