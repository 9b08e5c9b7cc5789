"""Signs add-user and DescribeJobs requests with the official SDKs' own code, for byte-for-byte
comparison with this crate. Reads a JSON list of cases on stdin, prints a JSON list of requests.

Only the network and the clock are replaced: the SDKs build, order, encode and sign as they ship.
"""
import contextlib
import io
import json
import sys

import qingcloud.conn.auth as iaas_auth
import qingcloud_hpc.sdk_api.hpc as hpc_module
from qingcloud.iaas.connection import APIConnection
from qingcloud_hpc.HpcApiConnection import Config as HpcConfig
from qingcloud_hpc.sdk_api.hpc import Hpc


class CapturedConnection:
    """Stands in for http.client's connection: records the request, answers success."""

    def __init__(self, sink):
        self.sink = sink

    def request(self, method, path, body, headers):
        self.sink.update(method=method, path=path, body=body, headers=headers)

    def getresponse(self):
        class Response:
            status = 200

            def read(self):
                return b'{"ret_code": 0}'

        return Response()


def iaas_request(case):
    conn = APIConnection(case["access_key_id"], case["secret_access_key"], case["zone"],
                         host="api.qingcloud.com", port=443, protocol="https")
    captured = {}
    conn._get_conn = lambda host, port: CapturedConnection(captured)
    conn._set_conn = lambda c: None
    conn._gen_req_id = lambda: case["req_id"]
    iaas_auth.get_ts = lambda ts=None: case["time_stamp"]
    verb = case["method"]
    if case["kind"] == "clickhouse":
        service_params = json.dumps({
            "user_networks": case["user_networks"],
            "user_password": case["user_password"],
            "user_name": case["user_name"],
        }, separators=(",", ":"), ensure_ascii=False)
        body = {"cluster": case["cluster"], "service": "add_users", "service_params": service_params}
        conn.send_request("RunClusterCustomService", body, verb=verb)
    else:
        # describe_jobs always sends GET; the same parameters go through send_request for POST.
        if verb == "GET":
            conn.describe_jobs(jobs=case["jobs"], limit=case.get("limit"))
        else:
            body = {"jobs": case["jobs"]}
            if case.get("limit") is not None:
                body["limit"] = case["limit"]
            conn.send_request("DescribeJobs", body, verb=verb)
    if verb == "GET":
        return {"method": "GET", "url": "https://api.qingcloud.com" + captured["path"], "body": None}
    return {"method": "POST", "url": "https://api.qingcloud.com" + captured["path"],
            "body": captured["body"], "content_type": captured["headers"]["Content-Type"]}


def ehpc_request(case):
    config = HpcConfig()
    config.qy_access_key_id = case["access_key_id"]
    config.qy_secret_access_key = case["secret_access_key"]
    config.host = "hpc.api.qingcloud.com"
    config.port = 443
    config.protocol = "https"
    config.zone = case["zone"]
    real_request = hpc_module.Request
    if case.get("mod"):
        # The SDK's add_user has no `mod` argument; the API takes it as one more body element.
        def with_mod(config, operation):
            operation["Elements"]["mod"] = case["mod"]
            return real_request(config, operation)
        hpc_module.Request = with_mod
    try:
        request = Hpc(config).add_user_request(
            timestamp=case["time_stamp"], cluster_id=case["cluster_id"], password=case["password"],
            username=case["username"], zone=case["zone"])
    finally:
        hpc_module.Request = real_request
    with contextlib.redirect_stdout(io.StringIO()):  # sign() prints what it signs
        prepared = request.sign()
    url = prepared.url.replace("https://hpc.api.qingcloud.com:443", "https://hpc.api.qingcloud.com", 1)
    return {"method": prepared.method, "url": url, "body": prepared.body,
            "content_type": prepared.headers["Content-Type"]}


def main():
    cases = json.load(sys.stdin)
    out = [ehpc_request(c) if c["kind"] == "ehpc" else iaas_request(c) for c in cases]
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
