"""Builds the Midjourney provider service: an adapter with its own browser session per account."""

from collections.abc import Awaitable, Callable
from pathlib import Path

from consumers.midjourney import wire
from consumers.midjourney.adapter import MidjourneyAdapter
from consumers.providers.accounts import Account, read_cookies
from consumers.providers.browser import BrowserConfig, BrowserSession


def adapter_factory(*, browser: BrowserConfig, profiles_dir: Path, web_url: str, cdn_url: str,
                    bucket: str, poll_interval_s: float = 1.0, poll_fast_s: float = 0.1,
                    allow_private_urls: bool = False, refresh_margin_s: float = 300.0,
                    recycle_after_jobs: int | None = None, recycle_above_mb: int | None = None,
                    ) -> Callable[[Account], MidjourneyAdapter]:
    """`allow_private_urls`: user image URLs may point at private addresses (tests, an
    intranet); off, they must be public."""
    def build(account: Account) -> MidjourneyAdapter:
        cookies = read_cookies(account.credentials) if account.credentials else []
        user_id = account.user_id or wire.user_id_from_cookies(cookies)
        if not user_id:
            raise ValueError(f"account {account.id}: user_id is not set and not in the token")
        session = BrowserSession(config=browser, profile_dir=profiles_dir / account.id,
                                 origin=web_url, start_path=wire.START_PAGE, cookies=cookies)
        return MidjourneyAdapter(session, cdn_url=cdn_url, user_id=user_id, bucket=bucket,
                                 account_id=account.id, mode=account.mode,
                                 allow_private_urls=allow_private_urls,
                                 cookies_path=account.credentials,
                                 refresh_margin_s=refresh_margin_s,
                                 recycle_after_jobs=recycle_after_jobs,
                                 recycle_above_mb=recycle_above_mb,
                                 poll_interval_s=poll_interval_s, poll_fast_s=poll_fast_s)

    return build


def credentials_loader(account: Account,
                       adapter: MidjourneyAdapter) -> Callable[[], Awaitable[bool]]:
    """Re-read the account's cookie file when it changed (the user replaced expired cookies)."""
    seen = {"mtime": _mtime(account.credentials)}

    async def reload() -> bool:
        mtime = _mtime(account.credentials)
        if mtime == seen["mtime"]:
            return False
        seen["mtime"] = mtime
        await adapter.session.set_cookies(read_cookies(account.credentials))
        return True

    return reload


def _mtime(path: Path | None) -> float | None:
    return path.stat().st_mtime if path and path.exists() else None
