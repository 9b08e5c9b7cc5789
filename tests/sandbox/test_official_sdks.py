"""The official Python SDKs, unchanged, as clients of the sandbox.

`qingcloud-sdk`'s APIConnection (GET and POST) and `qingcloud-hpc`'s Hpc talk to a sandbox that this
module starts on 127.0.0.1 with `--port 0` and a small job delay, and stops at the end.

The sandbox binary is $SANDBOX_BIN, or target/debug/qingcloud-sandbox (built with cargo if missing).
Run: python3 -m pytest tests/sandbox
"""
import contextlib
import io
import json
import os
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

import qingcloud.conn.auth as iaas_auth
from qingcloud.iaas.connection import APIConnection
from qingcloud_hpc.HpcApiConnection import Config as HpcConfig
from qingcloud_hpc.sdk_api.hpc import Hpc

ROOT = Path(__file__).resolve().parents[2]
AK = "SANDBOXACCESSKEYID01"
SK = "sandbox-secret-access-key"
ZONE = "pek3"
CH = "cl-sandbox1"
EHPC = "ehpc-sandbox1"
JOB_DELAY_MS = 800

CONFIG = {
    "job_delay_ms": JOB_DELAY_MS,
    "accounts": [{
        "access_key_id": AK,
        "secret_access_key": SK,
        "zones": [ZONE],
        "clusters": [
            {"id": CH, "users": ["default"]},
            {"id": EHPC, "users": ["admin"]},
        ],
    }],
}


def sandbox_binary():
    explicit = os.environ.get("SANDBOX_BIN")
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = target / "debug" / "qingcloud-sandbox"
    if not binary.exists():
        subprocess.run(["cargo", "build", "-p", "qingcloud-sandbox"], cwd=ROOT, check=True)
    return binary


class Sandbox:
    def __init__(self, tmp, args=None, binary=None, prefix="listening on http://127.0.0.1:"):
        if args is None:
            config = Path(tmp) / "sandbox.json"
            config.write_text(json.dumps(CONFIG))
            args = ["--port", "0", "--config", str(config), "--www", str(tmp)]
        self.stderr = open(Path(tmp) / ("sandbox-%d.log" % len(list(Path(tmp).iterdir()))), "wb")
        self.process = subprocess.Popen(
            [str(binary or sandbox_binary())] + args,
            stdout=subprocess.PIPE, stderr=self.stderr, cwd=ROOT)
        line = self._first_line(timeout=30)
        assert line.startswith(prefix), line
        self.port = int(line[len(prefix):])
        self.url = prefix[len("listening on "):] + str(self.port)

    def _first_line(self, timeout):
        result = {}
        reader = threading.Thread(
            target=lambda: result.setdefault("line", self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if "line" not in result:
            self.stop()
            raise RuntimeError("the sandbox did not start in %ss" % timeout)
        return result["line"].decode().strip()

    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        # The control endpoints only take JSON, so that other sites cannot post to them.
        request = urllib.request.Request(self.url + path, data=data, method="POST" if data else "GET",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.stderr.close()


@pytest.fixture(scope="module")
def sandbox():
    with tempfile.TemporaryDirectory() as tmp:
        server = Sandbox(tmp)
        try:
            yield server
        finally:
            server.stop()


def iaas(sandbox, secret=SK):
    return APIConnection(AK, secret, ZONE, host="127.0.0.1", port=sandbox.port, protocol="http")


def service_params(name, password="Passw0rdX", networks="::/0"):
    return json.dumps({"user_networks": networks, "user_password": password, "user_name": name},
                      separators=(",", ":"))


def add_users(conn, name, verb):
    return conn.send_request("RunClusterCustomService", {
        "cluster": CH, "service": "add_users", "service_params": service_params(name)}, verb=verb)


def follow(conn, job_id, verb="GET"):
    """Polls DescribeJobs until the job ends; returns the statuses seen and the final entry."""
    seen = []
    deadline = time.time() + 30
    while time.time() < deadline:
        if verb == "GET":
            answer = conn.describe_jobs(jobs=[job_id])
        else:
            answer = conn.send_request("DescribeJobs", {"jobs": [job_id]}, verb="POST")
        assert answer["ret_code"] == 0, answer
        assert answer["total_count"] == 1
        job = answer["job_set"][0]
        for key in ("job_id", "job_action", "status", "create_time", "status_time"):
            assert key in job, job
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        if job["status"] in ("successful", "failed"):
            return seen, job
        time.sleep(0.02)
    raise AssertionError("job %s did not end: %s" % (job_id, seen))


@pytest.mark.parametrize("verb", ["GET", "POST"])
def test_clickhouse_user_is_created_and_its_job_succeeds(sandbox, verb):
    conn = iaas(sandbox)
    answer = add_users(conn, "sdk_" + verb.lower(), verb)
    assert answer["ret_code"] == 0, answer
    assert answer["action"] == "RunClusterCustomServiceResponse"
    assert answer["cluster_id"] == CH
    assert answer["service"] == "add_users"
    assert answer["job_id"].startswith("j-")
    seen, job = follow(conn, answer["job_id"], verb)
    assert seen[0] in ("pending", "working")
    assert seen[-1] == "successful"
    assert job["job_action"] == "RunClusterCustomService"


def test_a_duplicate_user_ends_failed(sandbox):
    conn = iaas(sandbox)
    first = add_users(conn, "twice", "GET")
    second = add_users(conn, "twice", "POST")
    assert first["ret_code"] == 0 and second["ret_code"] == 0
    assert follow(conn, first["job_id"])[1]["status"] == "successful"
    _, job = follow(conn, second["job_id"])
    assert job["status"] == "failed"
    assert job["error_code"] == 2110
    assert "already exists" in job["error_message"]
    # A user the cluster had from the start.
    assert follow(conn, add_users(conn, "default", "GET")["job_id"])[1]["status"] == "failed"


@pytest.mark.parametrize("verb", ["GET", "POST"])
def test_a_wrong_secret_is_refused(sandbox, verb):
    answer = add_users(iaas(sandbox, secret="not-the-secret"), "nobody", verb)
    assert answer == {"message": "AuthFailure, signature not matched", "ret_code": 1200}


class Tampering:
    """Wraps http.client's connection so that the signed request is changed on its way out."""

    def __init__(self, conn, old, new):
        real_new_conn = conn._new_conn

        def new_conn(host, port):
            http = real_new_conn(host, port)
            real_request = http.request

            def request(method, path, body=None, headers=None, **kw):
                if body:
                    body = body.replace(old, new)
                    headers = dict(headers or {}, **{"Content-Length": str(len(body))})
                return real_request(method, path.replace(old, new), body, headers or {}, **kw)

            http.request = request
            return http

        conn._new_conn = new_conn


@pytest.mark.parametrize("verb", ["GET", "POST"])
def test_a_tampered_parameter_is_refused(sandbox, verb):
    conn = iaas(sandbox)
    Tampering(conn, "victim", "attacker")
    answer = add_users(conn, "victim", verb)
    assert answer["ret_code"] == 1200, answer
    # Nothing was created under either name.
    users = json.dumps(sandbox.control("/_sandbox/users"))
    assert "victim" not in users and "attacker" not in users


def test_a_stale_time_stamp_is_refused(sandbox, monkeypatch):
    stale = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    monkeypatch.setattr(iaas_auth, "get_ts", lambda ts=None: stale)
    answer = iaas(sandbox).describe_jobs()
    assert answer["ret_code"] == 1300, answer


def test_an_unknown_action_and_invalid_input_are_refused(sandbox):
    conn = iaas(sandbox)
    assert conn.send_request("DescribeInstances", {})["ret_code"] == 1101
    answer = conn.send_request("RunClusterCustomService", {
        "cluster": CH, "service": "add_users",
        "service_params": service_params("1starts_with_digit")})
    assert answer["ret_code"] == 1100
    assert "user_name" in answer["message"]


# A drawn busy fault, and a refusal past the capacity (none may be in flight): both are the
# 5100 that the SDK retries.
@pytest.mark.parametrize("faults, result", [({"busy_ratio": 1.0}, "fault:busy"),
                                            ({"capacity": 0}, "fault:capacity")])
def test_the_sdk_retries_busy_answers(sandbox, faults, result):
    sandbox.control("/_sandbox/reset", {})
    sandbox.control("/_sandbox/faults", faults)
    try:
        answer = iaas(sandbox).describe_jobs()
    finally:
        sandbox.control("/_sandbox/faults", {})
    assert answer["ret_code"] == 5100
    attempts = [e for e in sandbox.control("/_sandbox/requests") if e["result"] == result]
    assert len(attempts) == 2  # APIConnection's default retry_time


def hpc(sandbox, secret=SK):
    config = HpcConfig()
    config.qy_access_key_id = AK
    config.qy_secret_access_key = secret
    config.host = "127.0.0.1"
    config.port = sandbox.port
    config.protocol = "http"
    config.zone = ZONE
    return Hpc(config)


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def quiet(call, *args, **kwargs):
    # qingcloud-hpc prints the URL and the string to sign on stdout.
    with contextlib.redirect_stdout(io.StringIO()):
        return call(*args, **kwargs)


def usernames(listing):
    return [u["username"] for u in listing["users_set"]]


def test_ehpc_user_is_added_listed_and_deleted(sandbox):
    client = hpc(sandbox)
    answer = quiet(client.add_user, timestamp=now(), cluster_id=EHPC, password="kUISjs@kkkkkk!",
                   username="isabel", zone=ZONE)
    assert answer.status_code == 200
    assert dict(answer)["ret_code"] == 0, dict(answer)
    assert answer["action"] == "HpcUserAddUserResponse"
    _, job = follow(iaas(sandbox), answer["job_id"])
    assert job["status"] == "successful"
    assert job["job_action"] == "HpcUserAddUser"

    listing = quiet(client.list_users, timestamp=now(), cluster_id=EHPC, zone=ZONE)
    assert listing["ret_code"] == 0, dict(listing)
    assert listing["action"] == "HpcUserListUsersResponse"
    assert "isabel" in usernames(listing)

    again = quiet(client.add_user, timestamp=now(), cluster_id=EHPC, password="kUISjs@kkkkkk!",
                  username="isabel", zone=ZONE)
    assert again["ret_code"] == 2110
    assert "job_id" not in again

    deleted = quiet(client.delete_user, timestamp=now(), cluster_id=EHPC, username="isabel", zone=ZONE)
    assert deleted["ret_code"] == 0, dict(deleted)
    assert follow(iaas(sandbox), deleted["job_id"])[1]["status"] == "successful"
    listing = quiet(client.list_users, timestamp=now(), cluster_id=EHPC, zone=ZONE)
    assert "isabel" not in usernames(listing)


def test_ehpc_refuses_a_wrong_secret_a_tampered_body_and_invalid_input(sandbox):
    wrong = quiet(hpc(sandbox, secret="not-the-secret").add_user, timestamp=now(), cluster_id=EHPC,
                  password="kUISjs@kkkkkk!", username="mallory", zone=ZONE)
    assert wrong["ret_code"] == 1200

    client = hpc(sandbox)
    request = client.add_user_request(timestamp=now(), cluster_id=EHPC, password="kUISjs@kkkkkk!",
                                      username="victim", zone=ZONE)
    prepared = quiet(request.sign)
    prepared.body = prepared.body.replace("victim", "attack")
    tampered = client.client.send(prepared)
    assert tampered.json()["ret_code"] == 1200

    weak = quiet(client.add_user, timestamp=now(), cluster_id=EHPC, password="short",
                 username="weak", zone=ZONE)
    assert weak["ret_code"] == 1100
    assert "password" in weak["message"]


def tls_upstream_binary():
    """The sandbox behind HTTPS with a certificate made at start (sandbox/examples/tls-upstream.rs)."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = target / "debug" / "examples" / "tls-upstream"
    if not binary.exists():
        subprocess.run(["cargo", "build", "-p", "qingcloud-sandbox", "--example", "tls-upstream"],
                       cwd=ROOT, check=True)
    return binary


def test_the_readme_proxy_instructions_reach_an_https_upstream():
    """README.md's "Using the real cloud" command, with a local TLS upstream in place of the real
    endpoints and its CA passed with --upstream-ca: the SDKs' requests go through the proxy and
    their signatures verify at the upstream."""
    with tempfile.TemporaryDirectory() as tmp:
        ca = Path(tmp) / "ca.pem"
        upstream = Sandbox(tmp, args=[str(ca)], binary=tls_upstream_binary(),
                           prefix="listening on https://localhost:")
        try:
            proxy = Sandbox(tmp, args=[
                "--port", "0", "--www", "www", "--pkg", "pkg/web",
                "--upstream-iaas", upstream.url, "--upstream-ehpc", upstream.url,
                "--upstream-ca", str(ca)])
            try:
                conn = iaas(proxy)
                answer = add_users(conn, "through_tls", "POST")
                assert answer["ret_code"] == 0, answer
                assert follow(conn, answer["job_id"])[1]["status"] == "successful"
                assert add_users(iaas(proxy, secret="wrong"), "nobody", "GET")["ret_code"] == 1200
                added = quiet(hpc(proxy).add_user, timestamp=now(), cluster_id=EHPC,
                              password="kUISjs@kkkkkk!", username="tlsuser", zone=ZONE)
                assert added["ret_code"] == 0, dict(added)
                # The users exist at the upstream, read over HTTPS trusting the same CA.
                context = ssl.create_default_context(cafile=str(ca))
                with urllib.request.urlopen(upstream.url + "/_sandbox/users", context=context,
                                            timeout=10) as response:
                    users = json.dumps(json.loads(response.read()))
                assert "through_tls" in users and "tlsuser" in users
                assert "through_tls" not in json.dumps(proxy.control("/_sandbox/users"))
            finally:
                proxy.stop()
        finally:
            upstream.stop()
