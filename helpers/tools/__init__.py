"""The tooling, run and never imported by a notebook: execution, make run, reruns and sweeps, student copies,
slides and site, the JupyterLab start, the benchmark."""
