// Runs intervals for the page: timers in a worker are not throttled like those of a
// hidden tab, so MQTT PINGREQs keep going and the broker does not drop us as idle.
type Command = { type: 'set'; id: number; ms: number } | { type: 'clear'; id: number };

// Typed locally: the project's lib is DOM, not WebWorker.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Command>) => void) | null;
  postMessage(message: number): void;
};
const intervals = new Map<number, ReturnType<typeof setInterval>>();

scope.onmessage = (event) => {
  const command = event.data;
  if (command.type === 'set') {
    intervals.set(
      command.id,
      setInterval(() => scope.postMessage(command.id), command.ms),
    );
  } else {
    clearInterval(intervals.get(command.id));
    intervals.delete(command.id);
  }
};
