// In-memory note store, oldest notes evicted first.
export class NoteStore {
  constructor({ maxNotes }) {
    this.maxNotes = maxNotes;
    this.notes = new Map();
    this.nextId = 1;
    this.bytes = 0;
  }

  add(text, tags = []) {
    const id = String(this.nextId++);
    const note = { id, text, tags, created: new Date().toISOString() };
    this.notes.set(id, note);
    this.bytes += Buffer.byteLength(text);
    while (this.notes.size > this.maxNotes) {
      const [oldest] = this.notes.keys();
      this.remove(oldest);
    }
    return note;
  }

  get(id) {
    return this.notes.get(id);
  }

  remove(id) {
    const note = this.notes.get(id);
    if (!note) return false;
    this.bytes -= Buffer.byteLength(note.text);
    return this.notes.delete(id);
  }

  search(tag) {
    return [...this.notes.values()].filter((n) => n.tags.includes(tag));
  }

  get size() {
    return this.notes.size;
  }
}
