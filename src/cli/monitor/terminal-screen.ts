/**
 * The terminal while `queue monitor` runs: alternate screen, hidden cursor, raw keys.
 * leave() puts every one of those back, and is safe to call twice.
 */
const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?1049l';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const CURSOR_HOME = '\x1b[H';
const CLEAR_TO_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';
const CTRL_C = '\u0003';

export class TerminalScreen {
  private active = false;
  private rawMode = false;
  private keyListener: ((chunk: string) => void) | undefined;

  constructor(
    private readonly stdout: NodeJS.WriteStream,
    private readonly stdin: NodeJS.ReadStream,
  ) {}

  /** True when frames can be redrawn in place; otherwise they are printed one after another. */
  get interactive(): boolean {
    return this.stdout.isTTY === true;
  }

  /** `onQuit` fires on q or Ctrl-C (in raw mode Ctrl-C arrives as a key, not as SIGINT). */
  enter(onQuit: () => void): void {
    if (this.active) return;
    this.active = true;
    if (this.interactive) this.stdout.write(ENTER_ALTERNATE_SCREEN + HIDE_CURSOR);
    if (this.stdin.isTTY) {
      this.stdin.setRawMode(true);
      this.rawMode = true;
      this.stdin.setEncoding('utf8');
      this.keyListener = (chunk: string) => {
        if (chunk.includes('q') || chunk.includes('Q') || chunk.includes(CTRL_C)) onQuit();
      };
      this.stdin.on('data', this.keyListener);
      this.stdin.resume();
    }
  }

  draw(frame: string): void {
    if (!this.interactive) {
      this.stdout.write(`${frame}\n\n`);
      return;
    }
    // Overwrite in place rather than clearing the screen: no flicker between frames.
    const lines = frame.split('\n').map((line) => line + CLEAR_TO_LINE_END);
    this.stdout.write(CURSOR_HOME + lines.join('\n') + CLEAR_BELOW);
  }

  leave(): void {
    if (!this.active) return;
    this.active = false;
    if (this.keyListener) this.stdin.off('data', this.keyListener);
    this.keyListener = undefined;
    if (this.rawMode) {
      this.stdin.setRawMode(false);
      this.rawMode = false;
    }
    // Paused again so that the open stdin handle does not keep the process alive.
    this.stdin.pause();
    if (this.interactive) this.stdout.write(SHOW_CURSOR + LEAVE_ALTERNATE_SCREEN);
  }
}
