"""The baseline of the bulk benchmark: the official qingcloud-sdk adding users one after the other
and following each job to its end, against the sandbox. Prints one JSON line.

usage: python3 bench/sdk_sequential.py PORT ROWS PREFIX
"""
import json
import sys
import time

from qingcloud.iaas.connection import APIConnection

ACCESS_KEY_ID = "SANDBOXACCESSKEYID01"
SECRET = "sandbox-secret-access-key"


def main():
    port, rows, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    conn = APIConnection(ACCESS_KEY_ID, SECRET, "pek3", host="127.0.0.1", port=port, protocol="http")
    created = 0
    started = time.perf_counter()
    for i in range(rows):
        params = json.dumps({"user_networks": "10.0.0.0/8", "user_password": "Passw0rd-sdk",
                             "user_name": f"{prefix}_{i}"}, separators=(",", ":"))
        answer = conn.send_request("RunClusterCustomService", {
            "cluster": "cl-sandbox1", "service": "add_users", "service_params": params}, verb="POST")
        job_id = answer["job_id"]
        while True:
            job = conn.describe_jobs(jobs=[job_id])["job_set"][0]
            if job["status"] in ("successful", "failed"):
                created += job["status"] == "successful"
                break
            time.sleep(0.01)
    elapsed = time.perf_counter() - started
    print(json.dumps({"rows": rows, "created": created, "rows_per_s": rows / elapsed}))


if __name__ == "__main__":
    main()
