"""The tooling, run and never imported by a notebook: execution, make run, reruns and sweeps, the nbgrader
assignments and their grading, slides and site, the JupyterLab start, the benchmark."""
