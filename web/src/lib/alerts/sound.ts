// The alert sound: a short two-tone beep made with Web Audio (no file to load), and whether the
// user wants it, kept in localStorage.
//
// Off by default, and the badge flashes for a new critical alert either way. Why: browsers
// start an AudioContext only after a gesture on the page (Chrome's autoplay policy), so a
// sound that is on by default would stay silent on exactly the screen that needs it, a console
// left open or reloaded on a wall display, and people would trust a beep that never comes.
// Switching the sound on is a click, which is the gesture that unlocks audio for the tab; the
// setting then survives reloads (each reload needs one more click anywhere before the first
// beep can play, which the toggle's title says).

export const SOUND_KEY = 'fleet.alerts.sound';

/** What the preference is read from and written to (localStorage, or a stand-in in tests). */
export interface PreferenceStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function soundWanted(store: PreferenceStore | undefined): boolean {
  try {
    return store?.getItem(SOUND_KEY) === 'on';
  } catch {
    // Storage refused (a privacy mode): the default.
    return false;
  }
}

export function rememberSound(store: PreferenceStore | undefined, on: boolean): void {
  try {
    store?.setItem(SOUND_KEY, on ? 'on' : 'off');
  } catch {
    // Not remembered past this page; the toggle still works.
  }
}

/** The beep's notes: frequency (Hz), start and length (s). */
export const BEEP_NOTES: readonly { hz: number; at: number; s: number }[] = [
  { hz: 880, at: 0, s: 0.12 },
  { hz: 660, at: 0.16, s: 0.18 },
];

/** Minimal Web Audio surface the beep uses. */
interface AudioLike {
  currentTime: number;
  state: string;
  destination: unknown;
  resume(): Promise<void>;
  createOscillator(): {
    type: string;
    frequency: { value: number };
    connect(node: unknown): unknown;
    start(when: number): void;
    stop(when: number): void;
  };
  createGain(): {
    gain: {
      setValueAtTime(v: number, t: number): void;
      exponentialRampToValueAtTime(v: number, t: number): void;
    };
    connect(node: unknown): unknown;
  };
}

/** Plays the beep; resolves to false when the browser does not let the page play sound yet. */
export async function beep(audio: AudioLike): Promise<boolean> {
  if (audio.state === 'suspended') {
    try {
      await audio.resume();
    } catch {
      return false;
    }
  }
  if (audio.state !== 'running') return false;
  const t0 = audio.currentTime;
  for (const note of BEEP_NOTES) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = note.hz;
    gain.gain.setValueAtTime(0.25, t0 + note.at);
    gain.gain.exponentialRampToValueAtTime(0.001, t0 + note.at + note.s);
    osc.connect(gain);
    gain.connect(audio.destination);
    osc.start(t0 + note.at);
    osc.stop(t0 + note.at + note.s);
  }
  return true;
}
