"""Posts: compose, validate against creator_info and the media rules, and plan within quotas."""
