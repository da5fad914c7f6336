// One lane for every read-decide-write of the org: the outgoing passes and the incoming applies run
// one after the other, so a twin's state is never decided from a copy another task is about to
// replace. Network calls to the other node happen outside the lane, so two nodes pushing to each
// other at the same moment never wait on each other.

/** Runs tasks one at a time, in the order they were given. */
export class SerialLane {
    #tail: Promise<unknown> = Promise.resolve();
    #pending = 0;

    /** Tasks given and not finished. */
    get pending(): number {
        return this.#pending;
    }

    /** Runs `task` after every task given before it; resolves or rejects with its outcome. */
    run<T>(task: () => Promise<T>): Promise<T> {
        this.#pending += 1;
        const result = this.#tail.then(task, task);
        this.#tail = result.then(
            () => undefined,
            () => undefined
        );
        return result.finally(() => {
            this.#pending -= 1;
        });
    }
}
