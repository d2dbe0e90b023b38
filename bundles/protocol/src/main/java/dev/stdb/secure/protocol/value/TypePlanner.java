package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.SchemaException;
import dev.stdb.secure.protocol.schema.SpecialType;
import dev.stdb.secure.protocol.schema.Typespace;

import java.util.HashMap;
import java.util.Map;

/** Compiles {@link AlgebraicType}s into {@link Node} trees, resolving each typespace reference once. */
final class TypePlanner {
    private final Typespace typespace;
    private final Map<Integer, Node> byRef = new HashMap<>();

    TypePlanner(Typespace typespace) {
        this.typespace = typespace;
    }

    Node plan(AlgebraicType type) {
        if (type instanceof AlgebraicType.Ref ref) {
            Node known = byRef.get(ref.index());
            if (known != null) {
                return known;
            }
            Nodes.RefNode pending = new Nodes.RefNode(ref.index());
            byRef.put(ref.index(), pending);
            if (ref.index() >= typespace.types().size()) {
                throw new SchemaException("type reference " + ref.index() + " is outside the typespace of "
                        + typespace.types().size() + " types");
            }
            Node resolved = plan(typespace.types().get(ref.index()));
            pending.target = resolved;
            // Later references use the compiled node directly; those made during the cycle go through the RefNode.
            byRef.put(ref.index(), resolved);
            return resolved;
        }
        if (type instanceof AlgebraicType.Primitive p) {
            return p == AlgebraicType.Primitive.STRING ? new Nodes.StringNode() : new Nodes.PrimitiveNode(p);
        }
        if (type instanceof AlgebraicType.Array a) {
            return isU8(a.element()) ? new Nodes.BytesNode() : new Nodes.ArrayNode(plan(a.element()));
        }
        if (type instanceof AlgebraicType.Product p) {
            SpecialType special = p.special();
            if (special != null) {
                return new Nodes.SpecialNode(special);
            }
            String[] names = new String[p.elements().size()];
            for (int i = 0; i < names.length; i++) {
                names[i] = p.elements().get(i).name();
            }
            Nodes.ProductNode node = new Nodes.ProductNode(names);
            Node[] elements = new Node[names.length];
            for (int i = 0; i < names.length; i++) {
                elements[i] = plan(p.elements().get(i).type());
            }
            node.elements = elements;
            return node;
        }
        AlgebraicType.Sum s = (AlgebraicType.Sum) type;
        if (s.isOption()) {
            Nodes.OptionNode node = new Nodes.OptionNode();
            node.some = plan(s.variants().get(0).type());
            return node;
        }
        String[] names = new String[s.variants().size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = s.variants().get(i).name();
        }
        Nodes.SumNode node = new Nodes.SumNode(names);
        Node[] payloads = new Node[names.length];
        for (int i = 0; i < names.length; i++) {
            payloads[i] = plan(s.variants().get(i).type());
        }
        node.payloads = payloads;
        return node;
    }

    private boolean isU8(AlgebraicType t) {
        try {
            return typespace.resolve(t) == AlgebraicType.Primitive.U8;
        } catch (SchemaException e) {
            return false;
        }
    }
}
