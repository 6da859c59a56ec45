"""The experiments of particular notebooks that are not general tools: ``graphs`` (01), ``norms`` (02),
``vision`` (03), ``playground`` (10). Each returns numbers; the pictures come from ``mmviz.plot``."""
