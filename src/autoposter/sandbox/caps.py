"""The business caps of §6: bans, a creator's daily post cap, pending inbox shares, and the
app's active-user cap (5 users per 24 h for an unaudited app)."""

from __future__ import annotations

from dataclasses import dataclass

from .state import DAY, Creator, World


@dataclass(frozen=True)
class CapRefusal:
    code: str
    message: str


def refusal(
    world: World, creator: Creator, *, count_daily_posts: bool, count_pending_shares: bool
) -> CapRefusal | None:
    """The first cap that stops ``creator`` from posting now, in §9's order, or None."""
    if creator.seed.banned:
        return CapRefusal(
            "spam_risk_user_banned_from_posting",
            "This creator is banned from posting; do not retry.",
        )
    if count_daily_posts and posts_in_window(world, creator) >= creator.seed.daily_post_cap:
        return CapRefusal(
            "spam_risk_too_many_posts",
            f"This creator reached the limit of {creator.seed.daily_post_cap} posts through the "
            "API in 24 hours; try again tomorrow or post in the TikTok app.",
        )
    if count_pending_shares and pending_shares(world, creator) >= world.config.pending_share_cap:
        return CapRefusal(
            "spam_risk_too_many_pending_share",
            f"This creator has {world.config.pending_share_cap} drafts waiting in the inbox from "
            "the last 24 hours; ask them to finish those in the TikTok app first.",
        )
    if active_user_cap_reached(world, creator.open_id):
        return CapRefusal(
            "reached_active_user_cap",
            f"This app reached its cap of {user_cap(world)} posting users in 24 hours; "
            "try again later" + ("" if world.config.audited else " or pass the app audit") + ".",
        )
    return None


def record_init(world: World, creator: Creator, *, direct: bool) -> None:
    """Count an accepted init towards the creator's daily posts and the app's active users."""
    now = world.now()
    world.posting_users.setdefault(creator.open_id, []).append(now)
    if direct:
        creator.post_times.append(now)


def posts_in_window(world: World, creator: Creator) -> int:
    since = world.now() - DAY
    return sum(1 for t in creator.post_times if t > since)


def pending_shares(world: World, creator: Creator) -> int:
    """Inbox shares of the last 24 h the creator has not finished (and that did not fail)."""
    since = world.now() - DAY
    return sum(
        1
        for p in world.publishes.values()
        if p.open_id == creator.open_id
        and p.mode == "MEDIA_UPLOAD"
        and p.created_at > since
        and p.status not in ("PUBLISH_COMPLETE", "FAILED")
    )


def user_cap(world: World) -> int:
    config = world.config
    return config.active_user_cap if config.audited else config.unaudited_user_cap


def active_users(world: World) -> set[str]:
    since = world.now() - DAY
    return {
        open_id for open_id, times in world.posting_users.items() if any(t > since for t in times)
    }


def active_user_cap_reached(world: World, open_id: str) -> bool:
    """Only a user new to the window is refused; those already counted keep posting (§6)."""
    active = active_users(world)
    return open_id not in active and len(active) >= user_cap(world)
