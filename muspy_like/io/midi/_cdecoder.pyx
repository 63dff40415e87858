# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled decoder of the numpy engine: every track chunk of a file in one C pass.

One pass over the bytes decodes each event by the rule of :mod:`muspy_like.io.midi.decoder` (the Standard
MIDI Files 1.0 grammar with MIDI 1.0 running status; see ``docs/io-midi-native.md``) and applies, event by
event, the reading policies of :mod:`muspy_like.io.midi.builder`: one track per (chunk, channel, program),
the program of a note taken at its note-on, controllers and pitch bends before a channel's first note-on
held back until the program of that note-on is known, note pairing under the ``overlap`` policy, notes
never closed ended at their chunk's last event. What comes out is what the Python side needs to build a
``Music`` without touching single events: one column per note, controller and pitch-bend field, ordered
by track and, within a track, notes by (time, pitch, duration, velocity) and the others in file order; a
table of tracks with the bounds of their rows; tempos, time and key signatures (checked, sorted stably by
tick) and the decoded text events.

A malformed file raises :class:`Fault` with the byte offset of the first fault (where a
one-event-at-a-time decoder stops); the reader then lets the array decoder word the message, so errors
do not depend on the path. Tempo, time and key signature data are checked as
:func:`~muspy_like.io.midi.assembly.check_meta_events` does; a fault there is reported only when the
chunks decode, as on the array path.

Built as an optional extension (``setup.py``): without a C compiler the library reads with the numpy
decoder instead (``muspy_like.io.midi.ACCELERATED`` says which).
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.buffer cimport PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.unicode cimport PyUnicode_DecodeLatin1, PyUnicode_DecodeUTF8
from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t
# Python's raw allocator, with the contract of C's realloc and free, so that tracemalloc sees the buffers
# (benchmarks.midi_io.midi_read_growth measures peak memory with it)
from cpython.mem cimport PyMem_RawFree as free, PyMem_RawRealloc as realloc
from libc.stdlib cimport qsort
from libc.string cimport memset

import numpy as np

cdef extern from *:
    """
    #ifndef MUSPY_LIKE_SOURCE_HASH
    #define MUSPY_LIKE_SOURCE_HASH ""
    #endif
    """
    const char *MUSPY_LIKE_SOURCE_HASH

#: The hash of the source this module was built from (``setup.py`` passes it to the C compiler);
#: ``muspy_like.io.midi.compiled`` compares it with the source beside it, so that an extension left over
#: from an older source is not used.
SOURCE_HASH = (<bytes> MUSPY_LIKE_SOURCE_HASH).decode("ascii")

#: Overlap policies (``read_midi(overlap=...)``), by code.
FIFO, LIFO, ALL = 0, 1, 2

cdef enum:
    _FIFO = 0
    _LIFO = 1
    _ALL = 2
    _KEYS = 2048  # channel * 128 + pitch, or channel * 128 + program
    _SORT_BY_INSERTION = 16  # runs of same-time notes up to this long are sorted by insertion

cdef enum:  # meta event types read
    _TEMPO = 0x51
    _TIME_SIGNATURE = 0x58
    _KEY_SIGNATURE = 0x59


class Fault(Exception):
    """A malformed file: ``offset`` is the byte of the first fault; ``in_meta_data`` says whether it is in
    the data of a tempo, time or key signature (the chunks themselves decode)."""

    def __init__(self, offset, in_meta_data):
        super().__init__(offset, in_meta_data)
        self.offset = offset
        self.in_meta_data = in_meta_data


cdef struct Note:
    int64_t start
    int64_t duration  # -1 while the note sounds
    int32_t track
    int32_t next  # the next note of the same (channel, pitch) queue, or -1
    uint8_t pitch
    uint8_t velocity


cdef struct Row:  # a controller or a pitch bend
    int64_t time
    int32_t track  # -1 while held back (before its channel's first note-on)
    int32_t next  # the next held-back row of the same channel, or -1
    int16_t value  # controller value, or pitch bend in -8192..8191
    uint8_t number  # controller number
    uint8_t is_bend


cdef struct Meta:  # a tempo, time or key signature, or a text event
    int64_t tick
    Py_ssize_t start  # payload: data[start:end]
    Py_ssize_t end
    int32_t chunk
    uint8_t kind


cdef struct SameTime:  # a note among notes of one track at one tick, while they are sorted
    int64_t duration
    int16_t pitch
    int16_t velocity


cdef int _grow(void **buffer, Py_ssize_t *capacity, Py_ssize_t needed, size_t item) except -1:
    """Make room for ``needed`` items (capacity doubles, so appending is amortized constant time)."""
    if needed <= capacity[0]:
        return 0
    cdef Py_ssize_t new_capacity = max(needed, 2 * capacity[0], 64)
    cdef void *grown = realloc(buffer[0], new_capacity * item)
    if grown == NULL:
        raise MemoryError()
    buffer[0] = grown
    capacity[0] = new_capacity
    return 0


cdef int _compare_int64(const void *a, const void *b) noexcept nogil:
    cdef int64_t x = (<const int64_t *> a)[0]
    cdef int64_t y = (<const int64_t *> b)[0]
    return (x > y) - (x < y)


cdef inline int _compare_same_time(const SameTime *a, const SameTime *b) noexcept nogil:
    if a.pitch != b.pitch:
        return -1 if a.pitch < b.pitch else 1
    if a.duration != b.duration:
        return -1 if a.duration < b.duration else 1
    return (a.velocity > b.velocity) - (a.velocity < b.velocity)


cdef int _compare_same_time_void(const void *a, const void *b) noexcept nogil:
    return _compare_same_time(<const SameTime *> a, <const SameTime *> b)


cdef class _Writable:
    """A numpy array and a pointer to its data (held through the buffer protocol until released)."""

    cdef object array
    cdef Py_buffer view
    cdef bint held

    def __cinit__(self, Py_ssize_t size, object dtype):
        self.array = np.empty(size, dtype=dtype)
        PyObject_GetBuffer(self.array, &self.view, PyBUF_WRITABLE)
        self.held = True

    cdef void *pointer(self):
        return self.view.buf

    def __dealloc__(self):
        if self.held:
            PyBuffer_Release(&self.view)


cdef class _Decoder:
    """The state of one decoding: growing buffers of notes, rows and meta events, and per-chunk state."""

    cdef const uint8_t *data
    cdef int overlap
    cdef Note *notes
    cdef Py_ssize_t n_notes, notes_capacity
    cdef Row *rows
    cdef Py_ssize_t n_rows, rows_capacity
    cdef Meta *metas
    cdef Py_ssize_t n_metas, metas_capacity
    cdef int64_t *track_order  # per track in order of creation: chunk * 2048 + channel * 128 + program
    cdef Py_ssize_t n_tracks, tracks_capacity
    cdef Py_ssize_t last_length  # the value of the last length read by ``length``
    cdef Py_ssize_t meta_fault  # offset of the first tempo, time or key signature with invalid data
    cdef bint first_chunk_active  # whether chunk 0 holds a note message, controller, bend or program change
    # per chunk
    cdef int32_t chunk, stamp  # stamp = chunk + 1 marks the entries of the tables below set in this chunk
    cdef int32_t program[16]
    cdef int32_t current[16]  # the track of the channel's program once a note-on started it, or -1
    cdef bint started[16]  # whether the channel has had a note-on
    cdef int32_t held_back[16]  # rows and program changes held back until the first note-on
    cdef int32_t held_head[16]
    cdef int32_t held_tail[16]
    cdef int32_t track_of[_KEYS]
    cdef int32_t track_stamp[_KEYS]
    cdef int32_t queue_head[_KEYS]
    cdef int32_t queue_tail[_KEYS]
    cdef int32_t queue_stamp[_KEYS]

    def __cinit__(self):
        memset(self.track_stamp, 0, sizeof(self.track_stamp))
        memset(self.queue_stamp, 0, sizeof(self.queue_stamp))
        self.meta_fault = -1

    def __dealloc__(self):
        free(self.notes)
        free(self.rows)
        free(self.metas)
        free(self.track_order)

    # -- tracks and held-back events ------------------------------------------------------------------
    cdef int32_t track(self, int channel) except -1:
        """The track of (this chunk, ``channel``, the channel's program), made on first use."""
        cdef int key = channel * 128 + self.program[channel]
        if self.track_stamp[key] == self.stamp:
            return self.track_of[key]
        _grow(<void **> &self.track_order, &self.tracks_capacity, self.n_tracks + 1, sizeof(int64_t))
        cdef int32_t made = <int32_t> self.n_tracks
        self.track_order[made] = <int64_t> self.chunk * _KEYS + key
        self.n_tracks += 1
        self.track_stamp[key] = self.stamp
        self.track_of[key] = made
        return made

    cdef int release(self, int channel) except -1:
        """Give the held-back rows of ``channel`` to the track of its program (made even if only
        program changes were held back: a program change alone makes a track)."""
        cdef int32_t made = self.track(channel)
        cdef int32_t index = self.held_head[channel]
        while index >= 0:
            self.rows[index].track = made
            index = self.rows[index].next
        self.held_back[channel] = 0
        self.held_head[channel] = -1
        self.held_tail[channel] = -1
        return 0

    # -- channel messages -----------------------------------------------------------------------------
    cdef int note_on(self, int64_t tick, int channel, int pitch, int velocity) except -1:
        cdef int32_t made = self.current[channel]
        if made < 0:
            if not self.started[channel]:
                self.started[channel] = True
                self.release(channel)
            made = self.track(channel)
            self.current[channel] = made
        _grow(<void **> &self.notes, &self.notes_capacity, self.n_notes + 1, sizeof(Note))
        cdef int32_t index = <int32_t> self.n_notes
        self.n_notes += 1
        cdef Note *note = &self.notes[index]
        note.start = tick
        note.duration = -1
        note.track = made
        note.next = -1
        note.pitch = <uint8_t> pitch
        note.velocity = <uint8_t> velocity
        cdef int key = channel * 128 + pitch
        if self.queue_stamp[key] != self.stamp or self.queue_head[key] < 0:
            self.queue_stamp[key] = self.stamp
            self.queue_head[key] = index
            self.queue_tail[key] = index
        elif self.overlap == _LIFO:  # a stack: the newest note is ended first
            note.next = self.queue_head[key]
            self.queue_head[key] = index
        else:
            self.notes[self.queue_tail[key]].next = index
            self.queue_tail[key] = index
        return 0

    cdef void note_off(self, int64_t tick, int channel, int pitch):
        cdef int key = channel * 128 + pitch
        if self.queue_stamp[key] != self.stamp:
            return
        cdef int32_t head = self.queue_head[key]
        cdef Note *note
        cdef Py_ssize_t ended = 0
        if head < 0:
            return  # nothing sounds: the note-off is ignored
        if self.overlap != _ALL:
            note = &self.notes[head]
            note.duration = tick - note.start
            self.queue_head[key] = note.next
            return
        # every note begun before this tick ends; those begun at this tick keep sounding, unless nothing
        # else ends (then they end here, with zero length)
        while head >= 0 and (self.notes[head].start != tick or ended == 0):
            note = &self.notes[head]
            note.duration = tick - note.start
            ended += note.start != tick
            head = note.next
        self.queue_head[key] = head

    cdef int add_row(self, int64_t tick, int channel, int number, int value, bint is_bend) except -1:
        """A controller or a pitch bend: to the track of the channel's program once the channel has
        sounded a note, else held back until it does (or until the chunk ends)."""
        _grow(<void **> &self.rows, &self.rows_capacity, self.n_rows + 1, sizeof(Row))
        cdef int32_t index = <int32_t> self.n_rows
        self.n_rows += 1
        cdef Row *row = &self.rows[index]
        row.time = tick
        row.value = <int16_t> value
        row.number = <uint8_t> number
        row.is_bend = is_bend
        row.next = -1
        if self.started[channel]:
            row.track = self.current[channel] if self.current[channel] >= 0 else self.track(channel)
            return 0
        row.track = -1
        if self.held_head[channel] < 0:
            self.held_head[channel] = index
        else:
            self.rows[self.held_tail[channel]].next = index
        self.held_tail[channel] = index
        self.held_back[channel] += 1
        return 0

    cdef void program_change(self, int channel, int program):
        self.program[channel] = program
        self.current[channel] = -1
        if not self.started[channel]:
            self.held_back[channel] += 1

    # -- meta events ----------------------------------------------------------------------------------
    cdef int meta(self, int64_t tick, int kind, Py_ssize_t start, Py_ssize_t end, Py_ssize_t offset) except -1:
        """Keep tempos, time and key signatures (checking their data) and text events."""
        cdef const uint8_t *payload = self.data + start
        cdef Py_ssize_t length = end - start
        cdef int fifths
        if kind == _TEMPO:
            if length != 3 or (payload[0] | payload[1] | payload[2]) == 0:
                self.bad_meta(offset)
        elif kind == _TIME_SIGNATURE:
            if length != 4 or payload[0] == 0 or payload[1] > 30:
                self.bad_meta(offset)
        elif kind == _KEY_SIGNATURE:
            if length != 2:
                self.bad_meta(offset)
            else:
                fifths = payload[0] - 256 if payload[0] > 127 else payload[0]
                if fifths < -7 or fifths > 7 or payload[1] > 1:
                    self.bad_meta(offset)
        elif not 0x01 <= kind <= 0x09:
            return 0
        _grow(<void **> &self.metas, &self.metas_capacity, self.n_metas + 1, sizeof(Meta))
        cdef Meta *meta = &self.metas[self.n_metas]
        self.n_metas += 1
        meta.tick = tick
        meta.start = start
        meta.end = end
        meta.chunk = self.chunk
        meta.kind = <uint8_t> kind
        return 0

    cdef void bad_meta(self, Py_ssize_t offset):
        if self.meta_fault < 0:
            self.meta_fault = offset

    # -- one chunk ------------------------------------------------------------------------------------
    cdef Py_ssize_t decode_chunk(self, Py_ssize_t position, Py_ssize_t end) except -2:
        """Decode ``data[position:end]``; return the offset of the first fault, or -1."""
        cdef const uint8_t *data = self.data
        cdef int64_t tick = 0
        cdef int64_t value
        cdef Py_ssize_t begin, message, length, first_note = self.n_notes
        cdef int byte, status, running = 0, size, channel, first, second, i
        for i in range(16):
            self.program[i] = 0
            self.current[i] = -1
            self.started[i] = False
            self.held_back[i] = 0
            self.held_head[i] = -1
            self.held_tail[i] = -1
        while position < end:
            # delta time: a variable-length quantity of at most 4 bytes
            begin = position
            byte = data[position]
            position += 1
            if byte < 0x80:
                tick += byte
            else:
                value = byte & 0x7F
                for i in range(3):
                    if position >= end:
                        return begin
                    byte = data[position]
                    position += 1
                    value = (value << 7) | (byte & 0x7F)
                    if byte < 0x80:
                        break
                if byte >= 0x80:
                    return begin
                tick += value
            if position >= end:
                return position  # a delta time with no event after it
            message = position
            status = data[position]
            if status < 0x80:
                if running == 0:
                    return message  # a data byte with no running status
                status = running
            else:
                position += 1
                if status >= 0xF0:
                    if status == 0xFF:
                        if position >= end:
                            return message
                        byte = data[position]  # the meta type
                        begin = position + 1
                        position = self.length(begin, end)
                        if position < 0:
                            return begin
                        length = self.last_length
                        if position + length > end:
                            return message
                        self.meta(tick, byte, position, position + length, message)
                        position += length  # meta events leave the running status alone
                    elif status == 0xF0 or status == 0xF7:
                        begin = position
                        position = self.length(begin, end)
                        if position < 0:
                            return begin
                        if position + self.last_length > end:
                            return message
                        position += self.last_length
                        running = 0  # system exclusive cancels the running status
                    elif status == 0xF8 or status == 0xFA or status == 0xFB or status == 0xFC or status == 0xFE:
                        pass  # real-time: no data, the running status stays
                    else:
                        if status == 0xF1 or status == 0xF3:
                            size = 1
                        elif status == 0xF2:
                            size = 2
                        elif status == 0xF6:
                            size = 0
                        else:
                            return message  # undefined: 0xF4, 0xF5, 0xF9, 0xFD
                        if position + size > end:
                            return message
                        for i in range(size):
                            if data[position + i] >= 0x80:
                                return message
                        position += size
                        running = 0  # system common messages cancel the running status
                    continue
                running = status
            channel = status & 0x0F
            if status < 0xC0 or status >= 0xE0:
                if position + 2 > end:
                    return message
                first = data[position]
                second = data[position + 1]
                if first >= 0x80 or second >= 0x80:
                    return message
                position += 2
                status >>= 4
                if status == 0x9 and second:
                    self.note_on(tick, channel, first, second)
                elif status <= 0x9:
                    self.note_off(tick, channel, first)
                elif status == 0xB:
                    self.add_row(tick, channel, first, second, False)
                elif status == 0xE:
                    self.add_row(tick, channel, 0, ((second << 7) | first) - 8192, True)
                else:
                    continue  # polyphonic aftertouch: ignored, and it does not make a chunk active
            else:
                if position >= end:
                    return message
                first = data[position]
                if first >= 0x80:
                    return message
                position += 1
                if status >= 0xD0:
                    continue  # channel pressure: ignored
                self.program_change(channel, first)
            if self.chunk == 0:
                self.first_chunk_active = True
        # notes still sounding end at the chunk's last event; held-back rows go to the channel's last program
        for i in range(first_note, self.n_notes):
            if self.notes[i].duration < 0:
                self.notes[i].duration = tick - self.notes[i].start
        for i in range(16):
            if self.held_back[i]:
                self.release(i)
        return -1

    cdef Py_ssize_t length(self, Py_ssize_t position, Py_ssize_t end):
        """Read the variable-length quantity at ``position`` into ``last_length``; return the offset after
        it, or -1 if it is truncated or longer than 4 bytes."""
        cdef int64_t value = 0
        cdef int byte, i
        for i in range(4):
            if position >= end:
                return -1
            byte = self.data[position]
            position += 1
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                self.last_length = <Py_ssize_t> value
                return position
        return -1

    # -- the result -----------------------------------------------------------------------------------
    cdef object finish(self, Py_ssize_t n_chunks):
        cdef Py_ssize_t i, j, t, n_tracks = self.n_tracks
        cdef Py_ssize_t n_notes = self.n_notes, n_rows = self.n_rows
        cdef int64_t order
        # tracks ordered by (chunk, channel, program): sort (order << 32 | index of creation)
        cdef _Writable packed_tracks = _Writable(n_tracks, np.int64)
        cdef int64_t *packed = <int64_t *> packed_tracks.pointer()
        for i in range(n_tracks):
            packed[i] = (self.track_order[i] << 32) | i
        qsort(packed, n_tracks, sizeof(int64_t), _compare_int64)
        cdef _Writable rank_array = _Writable(n_tracks, np.int32)
        cdef int32_t *rank = <int32_t *> rank_array.pointer()
        for i in range(n_tracks):
            rank[packed[i] & 0xFFFFFFFF] = <int32_t> i
        # rows per track, counted, then placed (a stable counting sort: file order within each track)
        cdef _Writable bounds_array = _Writable(3 * (n_tracks + 1), np.int64)
        cdef int64_t *note_end = <int64_t *> bounds_array.pointer()
        cdef int64_t *control_end = note_end + (n_tracks + 1)
        cdef int64_t *bend_end = control_end + (n_tracks + 1)
        memset(note_end, 0, 3 * (n_tracks + 1) * sizeof(int64_t))
        cdef Py_ssize_t n_bends = 0
        for i in range(n_notes):
            note_end[rank[self.notes[i].track] + 1] += 1
        for i in range(n_rows):
            if self.rows[i].is_bend:
                bend_end[rank[self.rows[i].track] + 1] += 1
                n_bends += 1
            else:
                control_end[rank[self.rows[i].track] + 1] += 1
        for t in range(n_tracks):
            note_end[t + 1] += note_end[t]
            control_end[t + 1] += control_end[t]
            bend_end[t + 1] += bend_end[t]
        note_columns = (_Writable(n_notes, np.int64), _Writable(n_notes, np.int16), _Writable(n_notes, np.int64),
                        _Writable(n_notes, np.int16))
        cdef int64_t *note_time = <int64_t *> (<_Writable> note_columns[0]).pointer()
        cdef int16_t *note_pitch = <int16_t *> (<_Writable> note_columns[1]).pointer()
        cdef int64_t *note_duration = <int64_t *> (<_Writable> note_columns[2]).pointer()
        cdef int16_t *note_velocity = <int16_t *> (<_Writable> note_columns[3]).pointer()
        for i in range(n_notes):  # note-on order: within a track (one chunk), ticks never decrease
            j = note_end[rank[self.notes[i].track]]
            note_end[rank[self.notes[i].track]] += 1
            note_time[j] = self.notes[i].start
            note_pitch[j] = self.notes[i].pitch
            note_duration[j] = self.notes[i].duration
            note_velocity[j] = self.notes[i].velocity
        free(self.notes)  # the columns hold the notes now (the peak memory of large files)
        self.notes = NULL
        control_columns = (_Writable(n_rows - n_bends, np.int64), _Writable(n_rows - n_bends, np.int16),
                           _Writable(n_rows - n_bends, np.int16))
        bend_columns = (_Writable(n_bends, np.int64), _Writable(n_bends, np.int32))
        cdef int64_t *control_time = <int64_t *> (<_Writable> control_columns[0]).pointer()
        cdef int16_t *control_number = <int16_t *> (<_Writable> control_columns[1]).pointer()
        cdef int16_t *control_value = <int16_t *> (<_Writable> control_columns[2]).pointer()
        cdef int64_t *bend_time = <int64_t *> (<_Writable> bend_columns[0]).pointer()
        cdef int32_t *bend_value = <int32_t *> (<_Writable> bend_columns[1]).pointer()
        for i in range(n_rows):
            t = rank[self.rows[i].track]
            if self.rows[i].is_bend:
                j = bend_end[t]
                bend_end[t] += 1
                bend_time[j] = self.rows[i].time
                bend_value[j] = self.rows[i].value
            else:
                j = control_end[t]
                control_end[t] += 1
                control_time[j] = self.rows[i].time
                control_number[j] = self.rows[i].number
                control_value[j] = self.rows[i].value
        # the placing moved each end to the next track's start: the ends are right now
        _sort_same_time(note_time, note_pitch, note_duration, note_velocity, note_end, n_tracks)
        table = []
        for i in range(n_tracks):
            order = packed[i] >> 32
            table.append((order // _KEYS, order % _KEYS // 128, order % 128, note_end[i], control_end[i], bend_end[i]))
        return ((table, tuple([c.array for c in note_columns]), tuple([c.array for c in control_columns]),
                 tuple([c.array for c in bend_columns])) + self.timing()
                + (self.texts(table, n_chunks), self.first_chunk_active))

    cdef tuple timing(self):
        """Tempos (tick, quarter notes per minute), time signatures (tick, numerator, denominator) and key
        signatures (tick, fifths, mode), each list sorted stably by tick."""
        tempos, time_signatures, key_signatures = [], [], []
        cdef Py_ssize_t i
        cdef const uint8_t *payload
        cdef Meta *meta
        for i in range(self.n_metas):
            meta = &self.metas[i]
            payload = self.data + meta.start
            if meta.kind == _TEMPO:
                tempos.append((meta.tick, 60_000_000.0 / ((payload[0] << 16) | (payload[1] << 8) | payload[2])))
            elif meta.kind == _TIME_SIGNATURE:
                time_signatures.append((meta.tick, payload[0], 1 << payload[1]))
            elif meta.kind == _KEY_SIGNATURE:
                key_signatures.append((meta.tick, payload[0] - 256 if payload[0] > 127 else payload[0], payload[1]))
        return tuple(_sorted_by_tick(events) for events in (tempos, time_signatures, key_signatures))

    cdef list texts(self, list table, Py_ssize_t n_chunks):
        """Text events as (first track of their chunk or -1, chunk, tick, meta type, text); text is UTF-8
        when its bytes are valid UTF-8, else Latin-1 (every byte kept)."""
        cdef list first_track = [-1] * n_chunks
        cdef Py_ssize_t i
        for i in range(len(table) - 1, -1, -1):
            first_track[table[i][0]] = i
        out = []
        cdef Meta *meta
        cdef const char *payload
        for i in range(self.n_metas):
            meta = &self.metas[i]
            if meta.kind > 0x09:
                continue
            payload = <const char *> self.data + meta.start
            try:
                text = PyUnicode_DecodeUTF8(payload, meta.end - meta.start, NULL)
            except UnicodeDecodeError:
                text = PyUnicode_DecodeLatin1(payload, meta.end - meta.start, NULL)
            out.append((first_track[meta.chunk], meta.chunk, meta.tick, meta.kind, text))
        return out


cdef list _sorted_by_tick(list events):
    cdef Py_ssize_t i
    for i in range(1, len(events)):
        if events[i][0] < events[i - 1][0]:
            return sorted(events, key=_tick)  # stable
    return events


def _tick(event):
    return event[0]


cdef int _sort_same_time(int64_t *time, int16_t *pitch, int64_t *duration, int16_t *velocity,
                         const int64_t *track_end, Py_ssize_t n_tracks) except -1:
    """Sort each track's notes by (time, pitch, duration, velocity). Notes arrive ordered by time (note-on
    order), so only runs of notes at the same tick are sorted, by (pitch, duration, velocity)."""
    cdef Py_ssize_t t, start = 0, run, stop, i, j
    cdef SameTime scratch[_SORT_BY_INSERTION]
    cdef SameTime *notes
    cdef SameTime moving
    for t in range(n_tracks):
        stop = track_end[t]
        while start < stop:
            run = start + 1
            while run < stop and time[run] == time[start]:
                run += 1
            if run - start > 1:
                notes = scratch
                if run - start > _SORT_BY_INSERTION:
                    notes = <SameTime *> realloc(NULL, (run - start) * sizeof(SameTime))
                    if notes == NULL:
                        raise MemoryError()
                for i in range(run - start):
                    notes[i].pitch = pitch[start + i]
                    notes[i].duration = duration[start + i]
                    notes[i].velocity = velocity[start + i]
                if notes == scratch:
                    for i in range(1, run - start):
                        moving = notes[i]
                        j = i
                        while j > 0 and _compare_same_time(&moving, &notes[j - 1]) < 0:
                            notes[j] = notes[j - 1]
                            j -= 1
                        notes[j] = moving
                else:
                    qsort(notes, run - start, sizeof(SameTime), _compare_same_time_void)
                for i in range(run - start):
                    pitch[start + i] = notes[i].pitch
                    duration[start + i] = notes[i].duration
                    velocity[start + i] = notes[i].velocity
                if notes != scratch:
                    free(notes)
            start = run
    return 0


def decode(bytes data, list tracks, int overlap=FIFO):
    """Decode the track chunks ``data[start:end]`` (``tracks``, from
    :func:`~muspy_like.io.midi.chunks.split_chunks`) under the ``overlap`` policy (:data:`FIFO`,
    :data:`LIFO` or :data:`ALL`).

    Returns
    -------
    tuple
        ``(tracks, notes, controls, bends, tempos, time_signatures, key_signatures, texts,
        first_chunk_active)``: ``tracks`` is a list of (chunk, channel, program, end of its notes, end of
        its controllers, end of its pitch bends), ordered by (chunk, channel, program), the ends indexing
        ``notes`` (time, pitch, duration, velocity columns), ``controls`` (time, number, value) and
        ``bends`` (time, value); the timing lists hold tuples (tick, qpm), (tick, numerator, denominator)
        and (tick, fifths, mode); ``texts`` holds (first track of the chunk or -1, chunk, tick, meta type,
        text) for meta types 1-9, in file order; ``first_chunk_active`` says whether the first chunk holds
        a note message, controller, pitch bend or program change.

    Raises
    ------
    Fault
        The file is malformed (the offset of the first fault).
    """
    cdef _Decoder decoder = _Decoder()
    decoder.data = <const uint8_t *> PyBytes_AS_STRING(data)
    decoder.overlap = overlap
    cdef Py_ssize_t fault, start, end, size = PyBytes_GET_SIZE(data)
    cdef int32_t chunk
    for chunk, (start, end) in enumerate(tracks):
        if not 0 <= start <= end <= size:
            raise ValueError(f"track chunk {chunk} ({start}, {end}) lies outside the data")
        decoder.chunk = chunk
        decoder.stamp = chunk + 1
        fault = decoder.decode_chunk(start, end)
        if fault >= 0:
            raise Fault(fault, False)
    if decoder.meta_fault >= 0:
        raise Fault(decoder.meta_fault, True)
    return decoder.finish(len(tracks))
