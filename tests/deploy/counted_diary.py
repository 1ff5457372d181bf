"""The reference diary's WSGI application, with every API call it answers written down.

    gunicorn tests.deploy.counted_diary:application   # with DEPLOY_DIARY_CALLS=/path/calls.log

For each API call, one line is appended to the file named by
DEPLOY_DIARY_CALLS (see sandbox/call_log.py):

    <action> <HTTP status> <client address>

so a test can say which calls the diary saw, whether it answered or refused
them (the bare 404), and from which address they came.
"""

import os

from sandbox.call_log import logged

application = logged(
    os.environ.get("DEPLOY_DIARY_CALLS", ""),
    lambda call: f"{call.action} {call.status} {call.client}\n",
)
