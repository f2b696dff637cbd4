"""Contract-based co-building 契约化共建.

models/     units and contacts, contracts and their lists, commitments, progress,
            the four-stage evaluation, quarterly tallies, board publications, awards
access.py   who may read and who may act, and what each may do now (the one home of the contract roles)
services/   every write, one function per business action
selectors/  every read, always on behalf of a viewer (the public board excepted)
tasks.py    the quarterly tally on the "tallies" queue (beat: guilin_portal/schedules.py)
demo/       the report's figures at any scale, with an exact plan
"""
