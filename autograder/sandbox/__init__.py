"""Sandboxes for student kernels (bubblewrap or a plain process), and their limits."""

from autograder.sandbox.box import KernelProcess, Sandbox, SandboxSpec
from autograder.sandbox.kinds import KINDS, bwrap_problem, choose

__all__ = ["KINDS", "KernelProcess", "Sandbox", "SandboxSpec", "bwrap_problem", "choose"]
