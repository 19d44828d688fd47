"""The community desk (社区议事工作台): every council of a community at a glance, its charts, and the
monthly ledger (议事台账) in XLSX and PDF, all read from the councils' records."""
