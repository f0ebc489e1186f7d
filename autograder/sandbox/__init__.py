"""Sandboxes for student kernels (bubblewrap or a plain process), and their limits."""

from autograder.sandbox.box import MAX_THREADS, Sandbox, SandboxSpec, kernel_threads
from autograder.sandbox.kinds import KINDS, bwrap_problem, choose
from autograder.sandbox.process import KernelProcess

__all__ = [
    "MAX_THREADS",
    "kernel_threads",
    "KINDS",
    "KernelProcess",
    "Sandbox",
    "SandboxSpec",
    "bwrap_problem",
    "choose",
]
