package org.hierattn.core

/**
 * A minimal JSON reader and writer.
 *
 * The model metadata is a small JSON document; a hand-written parser keeps the core free of
 * Android's org.json and of any library, so the same code runs on a plain JVM and on a phone.
 * Values map to: Map<String, Any?>, List<Any?>, String, Double, Boolean, null.
 */
object Json {

    /** Parse [text]; throws [MetadataException] with the offending offset on malformed input. */
    fun parse(text: String): Any? {
        val reader = Reader(text)
        reader.skipWhitespace()
        val value = reader.readValue()
        reader.skipWhitespace()
        if (!reader.atEnd()) throw reader.error("trailing characters after the JSON value")
        return value
    }

    /** Serialise maps, lists, strings, numbers, booleans and null as compact JSON. */
    fun write(value: Any?): String {
        val out = StringBuilder()
        writeTo(out, value)
        return out.toString()
    }

    private fun writeTo(out: StringBuilder, value: Any?) {
        when (value) {
            null -> out.append("null")
            is String -> writeString(out, value)
            is Boolean -> out.append(if (value) "true" else "false")
            is Int, is Long, is Short, is Byte -> out.append(value.toString())
            is Float -> writeDouble(out, value.toDouble())
            is Double -> writeDouble(out, value)
            is Map<*, *> -> {
                out.append('{')
                var first = true
                for ((k, v) in value) {
                    if (!first) out.append(", ")
                    first = false
                    writeString(out, k.toString())
                    out.append(": ")
                    writeTo(out, v)
                }
                out.append('}')
            }
            is Iterable<*> -> {
                out.append('[')
                var first = true
                for (v in value) {
                    if (!first) out.append(", ")
                    first = false
                    writeTo(out, v)
                }
                out.append(']')
            }
            is IntArray -> writeTo(out, value.toList())
            is DoubleArray -> writeTo(out, value.toList())
            else -> throw IllegalArgumentException("cannot write ${value.javaClass.name} as JSON")
        }
    }

    private fun writeDouble(out: StringBuilder, d: Double) {
        if (d.isNaN() || d.isInfinite()) {
            out.append("null")
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append(d.toLong().toString())
        } else {
            out.append(d.toString())
        }
    }

    private fun writeString(out: StringBuilder, s: String) {
        out.append('"')
        for (ch in s) {
            when (ch) {
                '"' -> out.append("\\\"")
                '\\' -> out.append("\\\\")
                '\n' -> out.append("\\n")
                '\r' -> out.append("\\r")
                '\t' -> out.append("\\t")
                else -> if (ch < ' ') out.append(String.format("\\u%04x", ch - NUL)) else out.append(ch)
            }
        }
        out.append('"')
    }

    // Char arithmetic instead of Char.toInt(), which newer Kotlin deprecates and 1.3 lacks a replacement for.
    private const val NUL = '\u0000'

    private class Reader(private val s: String) {
        private var pos = 0

        fun atEnd(): Boolean = pos >= s.length

        fun error(what: String): MetadataException = MetadataException("invalid JSON at offset $pos: $what")

        fun skipWhitespace() {
            while (pos < s.length && (s[pos] == ' ' || s[pos] == '\n' || s[pos] == '\r' || s[pos] == '\t')) pos++
        }

        fun readValue(): Any? {
            if (atEnd()) throw error("unexpected end of input")
            return when (s[pos]) {
                '{' -> readObject()
                '[' -> readArray()
                '"' -> readString()
                't' -> readLiteral("true", true)
                'f' -> readLiteral("false", false)
                'n' -> readLiteral("null", null)
                else -> readNumber()
            }
        }

        private fun readLiteral(word: String, value: Any?): Any? {
            if (!s.startsWith(word, pos)) throw error("expected '$word'")
            pos += word.length
            return value
        }

        private fun expect(ch: Char) {
            if (atEnd() || s[pos] != ch) throw error("expected '$ch'")
            pos++
        }

        private fun readObject(): Map<String, Any?> {
            expect('{')
            val result = LinkedHashMap<String, Any?>()
            skipWhitespace()
            if (!atEnd() && s[pos] == '}') {
                pos++
                return result
            }
            while (true) {
                skipWhitespace()
                val key = readString()
                skipWhitespace()
                expect(':')
                skipWhitespace()
                result[key] = readValue()
                skipWhitespace()
                if (atEnd()) throw error("unterminated object")
                if (s[pos] == ',') {
                    pos++
                    continue
                }
                expect('}')
                return result
            }
        }

        private fun readArray(): List<Any?> {
            expect('[')
            val result = ArrayList<Any?>()
            skipWhitespace()
            if (!atEnd() && s[pos] == ']') {
                pos++
                return result
            }
            while (true) {
                skipWhitespace()
                result.add(readValue())
                skipWhitespace()
                if (atEnd()) throw error("unterminated array")
                if (s[pos] == ',') {
                    pos++
                    continue
                }
                expect(']')
                return result
            }
        }

        private fun readString(): String {
            expect('"')
            val out = StringBuilder()
            while (true) {
                if (atEnd()) throw error("unterminated string")
                val ch = s[pos++]
                when (ch) {
                    '"' -> return out.toString()
                    '\\' -> {
                        if (atEnd()) throw error("unterminated escape")
                        val e = s[pos++]
                        when (e) {
                            '"' -> out.append('"')
                            '\\' -> out.append('\\')
                            '/' -> out.append('/')
                            'b' -> out.append('\b')
                            'f' -> out.append('\u000C')
                            'n' -> out.append('\n')
                            'r' -> out.append('\r')
                            't' -> out.append('\t')
                            'u' -> {
                                if (pos + 4 > s.length) throw error("short \\u escape")
                                out.append(s.substring(pos, pos + 4).toInt(16).toChar())
                                pos += 4
                            }
                            else -> throw error("unknown escape '\\$e'")
                        }
                    }
                    else -> out.append(ch)
                }
            }
        }

        private fun readNumber(): Double {
            val start = pos
            while (pos < s.length && (s[pos].isDigit() || s[pos] == '-' || s[pos] == '+' || s[pos] == '.' || s[pos] == 'e' || s[pos] == 'E')) pos++
            if (start == pos) throw error("unexpected character '${s[pos]}'")
            val token = s.substring(start, pos)
            try {
                return token.toDouble()
            } catch (e: NumberFormatException) {
                throw error("bad number '$token'")
            }
        }
    }
}
