# Binder only (postBuild copies this next to the environment's Jupyter config). A Binder user has 2 GB;
# four notebook kernels kept alive after running take 1.87 GB measured (06, 08, 09, 10: 484 + 451 + 452 +
# 481 MB resident), and the server needs its share, so a kernel idle for 10 minutes is shut down even if
# its tab is open: the notebook stays, "Run All" brings it back in seconds.
c = get_config()  # noqa: F821 - provided by Jupyter when it reads this file
c.MappingKernelManager.cull_idle_timeout = 600     # seconds without activity
c.MappingKernelManager.cull_interval = 60          # how often to look
c.MappingKernelManager.cull_connected = True       # an open but idle tab does not keep 0.5 GB alive
c.MappingKernelManager.cull_busy = False           # never stop a kernel that is computing
# The Voilà badge: JupyterLab extensions for notebooks and slides only log errors on a Voilà page.
c.VoilaConfiguration.extension_denylist = [
    "jupyterlab-slideshow",
    "jupyterlab-rise",
    "jupyterlab-jupytext",
    "@deathbeds/jupyterlab-fonts",
    "@deathbeds/jupyterlab-font-dejavu-sans-mono",
    "@deathbeds/jupyterlab-font-atkinson-hyperlegible",
    "@deathbeds/jupyterlab-font-anonymous-pro",
    "@deathbeds/jupyterlab-font-fira-code",
]
