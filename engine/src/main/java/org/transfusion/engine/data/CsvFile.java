package org.transfusion.engine.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.transfusion.error.BadInputException;

/**
 * Streams the rows of a label CSV (CheXpert, NIH, EyePACS) one at a time, so a 220,000-row file never sits in
 * memory as strings. RFC 4180 quoting (commas, doubled quotes and newlines inside quotes), a UTF-8 byte-order
 * mark, CRLF and blank lines are handled. Errors name the file, the line and the column.
 *
 * <p>Rows may have more fields than the header (NIH's {@code Data_Entry_2017.csv} header has commas inside
 * unquoted names); a row that lacks a column a reader asks for is an error.
 */
public final class CsvFile implements AutoCloseable {
    private final Path file;
    private final BufferedReader in;
    private final List<String> header;
    private List<String> row = List.of();
    private int line;
    private int rowStartLine;

    private CsvFile(Path file, BufferedReader in) throws IOException {
        this.file = file;
        this.in = in;
        List<String> h = readRecord();
        if (h == null) {
            throw new BadInputException(file + ": empty CSV file (expected a header line)");
        }
        if (!h.isEmpty() && h.get(0).startsWith("\uFEFF")) {
            h.set(0, h.get(0).substring(1));
        }
        this.header = h.stream().map(String::trim).toList();
    }

    public static CsvFile open(Path file) {
        try {
            return new CsvFile(file, Files.newBufferedReader(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException | UncheckedIOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    public Path file() {
        return file;
    }

    public List<String> header() {
        return header;
    }

    /** Index of a required column; the error lists the header so a misnamed column is easy to spot. */
    public int column(String name) {
        int c = optionalColumn(name);
        if (c < 0) {
            throw new BadInputException(file + ": no column '" + name + "' (the header has "
                    + BadInputException.printable(String.join(", ", header)) + ")");
        }
        return c;
    }

    /** Index of a column, or -1 when the header lacks it. */
    public int optionalColumn(String name) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Advances to the next non-blank row; false at the end of the file. */
    public boolean next() {
        try {
            while (true) {
                List<String> r = readRecord();
                if (r == null) {
                    row = List.of();
                    return false;
                }
                if (!(r.size() == 1 && r.get(0).isBlank())) {
                    row = r;
                    return true;
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new BadInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** Field {@code column} of the current row, trimmed. */
    public String get(int column) {
        if (column >= row.size()) {
            throw error("has " + row.size() + " fields, expected a value in column '" + header.get(column) + "'");
        }
        return row.get(column).trim();
    }

    /** Line number (1-based) where the current row starts. */
    public int line() {
        return rowStartLine;
    }

    /**
     * An error about the current row: {@code FILE line N: message}. The message quotes the row's fields, and a
     * quoted field may hold line breaks, so control characters are escaped to keep it one line.
     */
    public BadInputException error(String message) {
        return new BadInputException(file + " line " + rowStartLine + ": " + BadInputException.printable(message, 1000));
    }

    private List<String> readRecord() throws IOException {
        String text = in.readLine();
        if (text == null) {
            return null;
        }
        line++;
        rowStartLine = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int i = 0;
        while (true) {
            if (i == text.length()) {
                if (!quoted) {
                    break;
                }
                String more = in.readLine(); // newline inside a quoted field
                if (more == null) {
                    throw new BadInputException(file + " line " + rowStartLine + ": unterminated quoted field");
                }
                line++;
                field.append('\n');
                text = more;
                i = 0;
                continue;
            }
            char ch = text.charAt(i++);
            if (quoted) {
                if (ch == '"') {
                    if (i < text.length() && text.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(ch);
                }
            } else if (ch == '"' && field.toString().isBlank()) {
                field.setLength(0);
                quoted = true;
            } else if (ch == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(ch);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing a reader we only read from: nothing to recover
        }
    }
}
