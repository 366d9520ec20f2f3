package org.transfusion.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transfusion.error.BadInputException;

class CsvFileTest {

    @Test
    void quotedFieldsBomCrlfAndBlankLines(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.csv");
        String text = "\uFEFFPath,Note , Level\r\n"
                + "a.png,\"has, comma\",1\r\n"
                + "\r\n"
                + "b.png,\"two\nlines and \"\"quotes\"\"\",2\r\n"
                + "c.png,,3\r\n";
        Files.writeString(f, text, StandardCharsets.UTF_8);
        try (CsvFile csv = CsvFile.open(f)) {
            assertThat(csv.header()).containsExactly("Path", "Note", "Level");
            int note = csv.column("note"); // case-insensitive
            int level = csv.column("Level");
            assertThat(csv.next()).isTrue();
            assertThat(csv.get(note)).isEqualTo("has, comma");
            assertThat(csv.line()).isEqualTo(2);
            assertThat(csv.next()).isTrue();
            assertThat(csv.get(note)).isEqualTo("two\nlines and \"quotes\"");
            assertThat(csv.get(level)).isEqualTo("2");
            assertThat(csv.line()).isEqualTo(4);
            assertThat(csv.next()).isTrue();
            assertThat(csv.get(note)).isEmpty();
            assertThat(csv.line()).isEqualTo(6); // the quoted newline made row b span lines 4-5
            assertThat(csv.next()).isFalse();
        }
    }

    @Test
    void errorsNameFileLineAndColumn(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("b.csv"), "image,level\nx_left\n");
        try (CsvFile csv = CsvFile.open(f)) {
            assertThatThrownBy(() -> csv.column("grade"))
                    .isInstanceOf(BadInputException.class)
                    .hasMessage(f + ": no column 'grade' (the header has image, level)");
            csv.next();
            int level = csv.column("level");
            assertThatThrownBy(() -> csv.get(level))
                    .isInstanceOf(BadInputException.class)
                    .hasMessage(f + " line 2: has 1 fields, expected a value in column 'level'");
        }
        assertThatThrownBy(() -> CsvFile.open(dir.resolve("none.csv")))
                .isInstanceOf(BadInputException.class)
                .hasMessage(dir.resolve("none.csv") + ": file not found");
    }
}
