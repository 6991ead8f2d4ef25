/** Thrown (never returned) to leave a cage: exit_group / proc_exit, or a panic the cage asked for. */
export class CageExit {
  constructor(readonly status: number) {}
}

/** lind.debug-panic: the cage aborted with a message. */
export class CagePanic extends Error {}
