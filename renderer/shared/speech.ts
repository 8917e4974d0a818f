// Speaks announcements through the Web Speech API, one at a time, each after a Web Audio chime.
// Nothing here leaves the machine: the chime is synthesised and the voice is the system's own.

export interface SpeechJob {
  utterances: string[];
  lang: string;
  chime: boolean;
}

const CHIME_MS = 900;
const GAP_MS = 350;
/** Some engines never fire `end` (no voice installed); do not let the queue hang on them. */
const MAX_UTTERANCE_MS = 12_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}

export class Announcer {
  private queue: SpeechJob[] = [];
  private running = false;
  private audio: AudioContext | null = null;
  silent = false;
  rate = 0.9;

  /** Queue a job; jobs never overlap. */
  enqueue(job: SpeechJob): void {
    if (this.silent) return;
    this.queue.push(job);
    if (!this.running) void this.drain();
  }

  get pending(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  /** Browsers start audio only after a user gesture; a click on the display calls this. */
  unlock(): void {
    void this.context()?.resume();
  }

  get audioBlocked(): boolean {
    return this.audio?.state === 'suspended';
  }

  private context(): AudioContext | null {
    if (this.audio) return this.audio;
    const Ctor = window.AudioContext;
    if (!Ctor) return null;
    try {
      this.audio = new Ctor();
    } catch {
      this.audio = null;
    }
    return this.audio;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        if (job.chime) await this.chime();
        for (const text of job.utterances) {
          await this.say(text, job.lang);
          await sleep(GAP_MS);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Two soft tones (ding-dong), like the halls' traditional call chime. */
  private async chime(): Promise<void> {
    const ctx = this.context();
    if (!ctx || ctx.state !== 'running') return;
    const tone = (frequency: number, start: number, length: number) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, ctx.currentTime + start);
      gain.gain.exponentialRampToValueAtTime(0.35, ctx.currentTime + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + start + length);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + start);
      osc.stop(ctx.currentTime + start + length);
    };
    tone(880, 0, 0.45);
    tone(659, 0.4, 0.5);
    await sleep(CHIME_MS);
  }

  private say(text: string, lang: string): Promise<void> {
    const synth = window.speechSynthesis;
    if (!synth || typeof SpeechSynthesisUtterance === 'undefined') return Promise.resolve();
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      utterance.rate = this.rate;
      const voice = synth.getVoices().find((v) => v.lang.replace('_', '-').toLowerCase().startsWith(lang.toLowerCase().slice(0, 2)));
      if (voice) utterance.voice = voice;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        window.clearTimeout(timer);
        resolve();
      };
      const timer = window.setTimeout(finish, Math.min(MAX_UTTERANCE_MS, 1_500 + text.length * 300));
      utterance.addEventListener('end', finish);
      utterance.addEventListener('error', finish);
      synth.speak(utterance);
    });
  }
}
