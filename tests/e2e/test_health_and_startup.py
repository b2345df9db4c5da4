"""Start-up and health as real processes against the fake Bot API, on 127.0.0.1 only.

`reflectbot run` rides out a Bot API that times out, drops connections or answers 5xx at
start-up, and comes up; a token Telegram rejects still stops it at once. `reflectbot
health` exits 0 only when the database opens and the Bot API answers getMe, and says in
one line what is wrong otherwise, quickly, never printing the token.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import storage

from .fake_bot_api import BotMessage, FakeBotApi, FakeUser
from .test_run_command import start_bot

# A stalled connection costs PTB's read timeout (5 s) before run retries, and health's
# own HTTP timeout (3 s): generous bounds, far below a retry budget of minutes.
PROCESS_TIMEOUT = 60.0


class FlakyNetwork:
    """A TCP relay on 127.0.0.1 to the fake Bot API whose first connections fail as real
    networks do: "stall" accepts the request and never answers (the client times out),
    "reset" drops the connection without a response; later connections are relayed."""

    def __init__(self, target_port: int, failures: tuple[str, ...]) -> None:
        self.target_port = target_port
        self.failures = failures
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/bot"

    async def __aenter__(self) -> FlakyNetwork:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        number, self.connections = self.connections, self.connections + 1
        try:
            if number < len(self.failures):
                await reader.read(65536)  # the request arrives...
                if self.failures[number] == "stall":
                    await asyncio.wait_for(reader.read(), PROCESS_TIMEOUT)  # ...until given up
                return  # ...and the connection closes with no answer
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.target_port
            )
            self._writers.add(upstream_writer)
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        except (ConnectionError, TimeoutError):
            pass
        finally:
            writer.transport.abort()
            self._writers.discard(writer)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.transport.abort()


async def run_command(*args: str, token: str, base_url: str, db: Path) -> tuple[int, str, str]:
    """`python -m bot ARGS` with this configuration; its exit status, stdout and stderr."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": base_url,
        "REFLECTBOT_DB": str(db),
        "REFLECTBOT_CACHE_DIR": str(db.parent / "cache"),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=db.parent,  # no stray .env is read
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), PROCESS_TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def next_message_while_running(
    process: asyncio.subprocess.Process, user: FakeUser
) -> BotMessage:
    """The user's next message from the bot; fails at once if the bot exits first."""
    message = asyncio.ensure_future(user.next_message(timeout=PROCESS_TIMEOUT))
    exited = asyncio.ensure_future(process.wait())
    await asyncio.wait({message, exited}, return_when=asyncio.FIRST_COMPLETED)
    if not message.done():
        message.cancel()
        raise AssertionError(f"the bot exited ({process.returncode}) before it answered")
    exited.cancel()
    return message.result()


def closed_port_url() -> str:
    """A Bot API address on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    return f"http://127.0.0.1:{port}/bot"


# ---------------------------------------------------------------------------- start-up


async def test_run_rides_out_timeouts_dropped_connections_and_5xx_at_start_up(
    fake_telegram: FakeBotApi, tmp_path
):
    fake_telegram.fail_next("getMe", error_code=502, description="Bad Gateway")
    port = int(fake_telegram.base_url.split(":")[2].split("/")[0])
    async with FlakyNetwork(port, failures=("stall", "reset")) as network:
        process = await start_bot(fake_telegram.token, network.base_url, tmp_path)
        try:
            ann = fake_telegram.user(1001, "Ann")
            await ann.send_command("/start")
            welcome = await next_message_while_running(process, ann)
            assert "Nothing is stored until you agree" in welcome.text
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGINT)
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    logs = stderr.decode()
    assert process.returncode == 0, logs
    assert network.connections >= 3, "a stalled and a dropped connection came first"
    assert len(fake_telegram.calls("getMe")) == 2, "a 502, then the answer"
    assert fake_telegram.token not in logs


async def test_a_rejected_token_is_not_retried(fake_telegram: FakeBotApi, tmp_path):
    """The fake records calls with its own token, so make its getMe answer 401 (twice, so
    that a retry would be answered 401 again and counted)."""
    for _ in range(2):
        fake_telegram.fail_next("getMe", error_code=401, description="Unauthorized")
    process = await start_bot(fake_telegram.token, fake_telegram.base_url, tmp_path)
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), PROCESS_TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    err = stderr.decode()
    assert process.returncode == 2, err
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in err and "Traceback" not in err
    assert len(fake_telegram.calls("getMe")) == 1


async def test_run_gives_up_in_one_line_when_the_bot_api_never_answers(tmp_path):
    """With one retry instead of the usual dozen, so the test takes seconds, not minutes."""
    token = "123456:NEVER-printed"
    code = "import sys, bot.cli as c; c.BOOTSTRAP_RETRIES = 1; sys.exit(c.main(['run']))"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": closed_port_url(),
        "REFLECTBOT_DB": str(tmp_path / "bot.sqlite3"),
        "REFLECTBOT_CACHE_DIR": str(tmp_path / "cache"),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), PROCESS_TIMEOUT)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    err = stderr.decode()
    assert process.returncode == 1, err
    (said,) = [line for line in err.splitlines() if line.startswith("the Bot API at http")]
    assert "did not answer" in said and "check the network connection" in said
    assert "NEVER-printed" not in err


# ---------------------------------------------------------------------------- health


async def test_health_is_healthy_when_the_database_opens_and_the_bot_api_answers(
    fake_telegram: FakeBotApi, tmp_path
):
    db = tmp_path / "bot.sqlite3"
    storage.open_database(db).close()
    code, out, err = await run_command(
        "health", token=fake_telegram.token, base_url=fake_telegram.base_url, db=db
    )
    assert code == 0, err
    assert out.startswith("healthy:") and "@reflect_test_bot" in out
    assert len(fake_telegram.calls("getMe")) == 1


async def test_health_with_a_wrong_token_says_so_and_never_prints_it(
    fake_telegram: FakeBotApi, tmp_path
):
    db = tmp_path / "bot.sqlite3"
    storage.open_database(db).close()
    token = "987654:WRONG-secret-value"
    code, out, err = await run_command(
        "health", token=token, base_url=fake_telegram.base_url, db=db
    )
    assert code == 1
    assert err.count("\n") == 1 and "Telegram rejected TELEGRAM_BOT_TOKEN" in err
    for leak in ("WRONG-secret-value", "987654%3A"):
        assert leak not in out + err


async def test_health_with_the_bot_api_stopped_or_the_database_missing_is_unhealthy(
    fake_telegram: FakeBotApi, tmp_path
):
    db = tmp_path / "bot.sqlite3"
    code, _, err = await run_command(
        "health", token=fake_telegram.token, base_url=fake_telegram.base_url, db=db
    )
    assert code == 1 and err.count("\n") == 1
    assert "there is no database file at" in err and "Bot API" not in err
    assert not db.exists()

    storage.open_database(db).close()
    base_url = fake_telegram.base_url
    await fake_telegram.stop()
    code, _, err = await run_command("health", token=fake_telegram.token, base_url=base_url, db=db)
    assert code == 1 and err.count("\n") == 1
    assert f"the Bot API at {base_url} did not answer" in err
    assert fake_telegram.token not in err


async def test_health_answers_quickly_when_the_bot_api_hangs(fake_telegram: FakeBotApi, tmp_path):
    db = tmp_path / "bot.sqlite3"
    storage.open_database(db).close()
    port = int(fake_telegram.base_url.split(":")[2].split("/")[0])
    async with FlakyNetwork(port, failures=("stall",) * 5) as network:
        started = time.monotonic()
        code, _, err = await run_command(
            "health", token=fake_telegram.token, base_url=network.base_url, db=db
        )
        took = time.monotonic() - started
    assert code == 1 and "did not answer" in err and "Timed out" in err
    assert took < 15, f"health took {took:.1f} s"
