"""The strongest peer of the bulk benchmark: what an operator would write with the official
qingcloud-sdk. A ThreadPoolExecutor of 16 threads adds the users (RunClusterCustomService,
add_users, POST), then DescribeJobs in batches of 100 follows every accepted job until it ends,
one batch after the other, sleeping POLL_S between rounds. Prints one JSON line.

Retries, as an operator would add them around the SDK: its own loop is switched off
(retry_time=1: one attempt per call) so that one policy is in force and written down here. A call
is retried, up to 5 attempts in all, when the SDK raises (a dropped or cut-off connection, a
timeout), answers nothing (HTTP 5xx: the SDK only reads HTTP 200 bodies) or answers ret_code 5000
or 5100; the waits between attempts are exponential with full jitter, 0.25 s doubling, at most
8 s (the package's defaults). An add that raised may have been carried out (a cut-off answer), so
its row is marked ambiguous; when its retried job then fails with error 2110 (the user exists),
the row counts as exists, not failed.

usage: python3 bench/sdk_pool.py PORT ROWS PREFIX POLL_S
"""
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from qingcloud.iaas.connection import APIConnection

ACCESS_KEY_ID = "SANDBOXACCESSKEYID01"
SECRET = "sandbox-secret-access-key"
CLUSTER = "cl-sandbox1"
THREADS = 16
JOBS_PER_CALL = 100
MAX_ATTEMPTS = 5
RETRY_BASE_S = 0.25
RETRY_CAP_S = 8.0
RETRIED_CODES = (5000, 5100)


def call(send):
    """Runs `send` under the retry policy above; answers (answer or None, whether any attempt
    raised)."""
    raised = False
    answer = None
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            time.sleep(random.uniform(0, min(RETRY_CAP_S, RETRY_BASE_S * 2 ** attempt)))
        try:
            answer = send()
        except Exception:  # noqa: BLE001 - http.client and socket errors alike
            raised = True
            continue
        if isinstance(answer, dict) and answer.get("ret_code") not in RETRIED_CODES:
            return answer, raised
    return (answer if isinstance(answer, dict) else None), raised


def main():
    port, rows, prefix, poll_s = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    conn = APIConnection(ACCESS_KEY_ID, SECRET, "pek3", host="127.0.0.1", port=port, protocol="http",
                         retry_time=1, http_socket_timeout=30)

    def add(i):
        params = json.dumps({"user_networks": "10.0.0.0/8", "user_password": "Passw0rd-sdk",
                             "user_name": f"{prefix}_{i}"}, separators=(",", ":"))
        answer, ambiguous = call(lambda: conn.send_request("RunClusterCustomService", {
            "cluster": CLUSTER, "service": "add_users", "service_params": params}, verb="POST"))
        job_id = answer.get("job_id") if answer and answer.get("ret_code") == 0 else None
        return job_id, ambiguous

    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        sent = list(pool.map(add, range(rows)))
    sent_s = time.perf_counter() - started

    waiting = {job_id: ambiguous for job_id, ambiguous in sent if job_id}
    created = exists = failed = 0
    polls = 0
    while waiting:
        ids = list(waiting)
        for at in range(0, len(ids), JOBS_PER_CALL):
            batch = ids[at:at + JOBS_PER_CALL]
            answer, _ = call(lambda: conn.describe_jobs(jobs=batch, limit=len(batch)))
            polls += 1
            for job in (answer or {}).get("job_set", []):
                status = job.get("status")
                if job.get("job_id") not in waiting or status not in ("successful", "failed"):
                    continue
                ambiguous = waiting.pop(job["job_id"])
                if status == "successful":
                    created += 1
                elif ambiguous and job.get("error_code") == 2110:
                    exists += 1
                else:
                    failed += 1
        if waiting:
            time.sleep(poll_s)
    elapsed = time.perf_counter() - started
    print(json.dumps({
        "rows": rows, "created": created, "exists": exists, "failed": failed,
        "not_sent": sum(1 for job_id, _ in sent if not job_id), "describe_calls": polls,
        "send_s": sent_s, "elapsed_s": elapsed, "rows_per_s": rows / elapsed,
    }))


if __name__ == "__main__":
    main()
