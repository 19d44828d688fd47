"""The 议事厅 (hall): a council's deliberation as a mobile web page (`/h/<slug>`), served by `yishi serve`.

`passes` makes the one-time ways in (personal links, per-unit invite codes); `signin` turns them into device
sessions with CSRF tokens, all kept in the database; `pages` serves the hall and runs members' actions
through the same command desk as every chat platform.
"""
