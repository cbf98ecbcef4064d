/** Whether the service is draining: shared by the server (which starts it) and the app (which answers 503). */
export class Lifecycle {
  #draining = false;

  get draining(): boolean {
    return this.#draining;
  }

  startDraining(): void {
    this.#draining = true;
  }
}
