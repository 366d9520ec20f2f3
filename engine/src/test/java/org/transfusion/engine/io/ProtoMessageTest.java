package org.transfusion.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.transfusion.engine.tensorboard.Event;
import org.transfusion.engine.tensorboard.SessionLog;
import org.transfusion.engine.tensorboard.Summary;

/** The encoder's bytes read by protobuf-java's parser (classes generated from src/test/proto). */
class ProtoMessageTest {
    @Test
    void protobufsOwnParserReadsEveryWireTypeBack() throws Exception {
        byte[] bytes = new ProtoMessage()
                .doubleValue(1, 1.7e9 + 0.25)
                .varint(2, -3) // a negative int64 takes ten bytes
                .message(5, new ProtoMessage()
                        .message(1, new ProtoMessage().string(1, "val/auc \u00e9").floatValue(2, 0.0f))
                        .message(1, new ProtoMessage().string(1, "b").floatValue(2, Float.MIN_VALUE)))
                .toByteArray();
        Event e = Event.parseFrom(bytes);
        assertThat(e.getWallTime()).isEqualTo(1.7e9 + 0.25);
        assertThat(e.getStep()).isEqualTo(-3);
        assertThat(e.getSummary().getValueList()).extracting(Summary.Value::getTag).containsExactly("val/auc \u00e9", "b");
        // A 0.0 written explicitly is present: the oneof holds simple_value.
        assertThat(e.getSummary().getValue(0).getValueCase()).isEqualTo(Summary.Value.ValueCase.SIMPLE_VALUE);
        assertThat(e.getSummary().getValue(1).getSimpleValue()).isEqualTo(Float.MIN_VALUE);
        // Hand-encoded: field 2 varint of -3 is 0x10 then 2^64-3 in ten 7-bit groups (fd ff ff ff ff ff ff ff ff 01).
        assertThat(java.util.HexFormat.of().formatHex(bytes, 9, 20)).isEqualTo("10fdffffffffffffffff01");
    }

    @Test
    void varintsOfManyBytesAndEnumsRoundTrip() throws Exception {
        byte[] bytes = new ProtoMessage().varint(2, Long.MAX_VALUE)
                .message(7, new ProtoMessage().varint(1, 1).string(3, "x".repeat(300))).toByteArray();
        Event e = Event.parseFrom(bytes);
        assertThat(e.getStep()).isEqualTo(Long.MAX_VALUE);
        assertThat(e.getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
        assertThat(e.getSessionLog().getMsg()).hasSize(300); // a length of two varint bytes
    }

    @Test
    void fieldNumbersOutsideTheRangeAreRefused() {
        assertThatThrownBy(() -> new ProtoMessage().varint(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProtoMessage().varint(1 << 29, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
