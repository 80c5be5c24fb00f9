using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// A node of a graph built over the serializer's contract (<see cref="ContractGraph"/>): whether values of its type need
/// looking into, for themselves or for anything below them.
/// </summary>
internal abstract class ContractNode<TNode>
    where TNode : ContractNode<TNode>
{
    private bool _computed;

    /// <summary>Whether this node or one below it has something to check.</summary>
    internal bool Needs { get; private set; }

    /// <summary>Whether this node has something to check itself.</summary>
    protected abstract bool NeedsItself { get; }

    /// <summary>The nodes directly below: members' values, collection items.</summary>
    protected abstract IEnumerable<TNode?> Children { get; }

    internal bool Compute(HashSet<TNode> visiting)
    {
        if (_computed)
        {
            return Needs;
        }

        var needs = NeedsItself;
        if (!visiting.Add((TNode)this))
        {
            // A cycle: this node's own answer is what the path back to it adds.
            return needs;
        }

        foreach (var child in Children)
        {
            needs |= child?.Compute(visiting) == true;
        }

        visiting.Remove((TNode)this);
        Needs = needs;
        _computed = true;
        return needs;
    }
}

/// <summary>
/// The one cycle-aware walk over the serializer's contract that the body contract (the DataAnnotations plan) and the
/// model validator build their graphs with: one node per type, or none for a leaf or a type the serializer cannot describe;
/// a type met again while it is being built gets the node in progress (cycles); then every node's
/// <see cref="ContractNode{TNode}.Needs"/> is computed over the finished graph and the new nodes are published to the cache
/// together, so a concurrent reader never sees half a graph.
/// </summary>
internal static class ContractGraph
{
    /// <param name="type">The root type.</param>
    /// <param name="options">The options whose contract is walked (names, converters, constructor parameters).</param>
    /// <param name="cache">Finished nodes by type, shared across calls.</param>
    /// <param name="create">Makes the node for a type from its contract, or returns <see langword="null"/> to skip it.</param>
    /// <param name="populate">Fills a node's children, building each child's node with the function it is given.</param>
    internal static TNode? Build<TNode>(
        Type type,
        JsonSerializerOptions options,
        ConcurrentDictionary<Type, TNode?> cache,
        Func<Type, JsonTypeInfo, TNode?> create,
        Action<TNode, JsonTypeInfo, Func<Type, TNode?>> populate)
        where TNode : ContractNode<TNode>
    {
        var building = new Dictionary<Type, TNode?>();

        TNode? Visit(Type current)
        {
            if (cache.TryGetValue(current, out var cached))
            {
                return cached;
            }

            if (building.TryGetValue(current, out var inProgress))
            {
                return inProgress;
            }

            building[current] = null;
            if (IsLeaf(current) || Describe(options, current) is not { } info || create(current, info) is not { } node)
            {
                return null;
            }

            building[current] = node;
            populate(node, info, Visit);
            return node;
        }

        var root = Visit(type);
        foreach (var node in building.Values)
        {
            node?.Compute([]);
        }

        foreach (var pair in building)
        {
            cache.TryAdd(pair.Key, pair.Value);
        }

        return root;
    }

    private static JsonTypeInfo? Describe(JsonSerializerOptions options, Type type)
    {
        try
        {
            return options.GetTypeInfo(type);
        }
#pragma warning disable CA1031 // A type the serializer cannot describe (a service, a stream) has nothing to check; binding reports it.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <summary>Values with nothing inside to check.</summary>
    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type.IsPointer || type.IsByRef
        || type == typeof(string) || type == typeof(decimal) || type == typeof(object)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(TimeSpan)
        || type == typeof(Uri) || type == typeof(JsonElement) || type == typeof(JsonDocument) || type == typeof(byte[])
        || typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(type)
        || (Nullable.GetUnderlyingType(type) is { } underlying && IsLeaf(underlying));
}
