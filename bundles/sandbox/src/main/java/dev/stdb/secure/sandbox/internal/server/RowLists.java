package dev.stdb.secure.sandbox.internal.server;

import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.sandbox.internal.module.StoredRow;
import dev.stdb.secure.sandbox.internal.module.Table;

import java.util.Collection;

/** Encodes rows the way the server does: a fixed-size hint for fixed-size rows, start offsets otherwise. */
final class RowLists {
    private RowLists() {
    }

    static BsatnRowList of(Table table, Collection<StoredRow> rows) {
        BsatnWriter w = new BsatnWriter();
        long[] offsets = new long[rows.size()];
        int i = 0;
        for (StoredRow row : rows) {
            offsets[i++] = w.size();
            w.writeRaw(row.bytes().toByteArray(), 0, row.bytes().length());
        }
        int fixed = table.rowCodec().fixedSize();
        RowSizeHint hint = fixed > 0 && fixed <= 0xFFFF ? new RowSizeHint.FixedSize(fixed) : new RowSizeHint.RowOffsets(offsets);
        return BsatnRowList.of(hint, w.toByteArray());
    }
}
