using System.Diagnostics.CodeAnalysis;
using Microsoft.OData.Edm;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>The CLR types a query can compare, and the EDM primitive kind each one is in the model.</summary>
internal static class EdmTypes
{
    private static readonly Dictionary<Type, EdmPrimitiveTypeKind> Kinds = new()
    {
        [typeof(bool)] = EdmPrimitiveTypeKind.Boolean,
        [typeof(byte)] = EdmPrimitiveTypeKind.Byte,
        [typeof(sbyte)] = EdmPrimitiveTypeKind.SByte,
        [typeof(short)] = EdmPrimitiveTypeKind.Int16,
        [typeof(int)] = EdmPrimitiveTypeKind.Int32,
        [typeof(long)] = EdmPrimitiveTypeKind.Int64,
        [typeof(float)] = EdmPrimitiveTypeKind.Single,
        [typeof(double)] = EdmPrimitiveTypeKind.Double,
        [typeof(decimal)] = EdmPrimitiveTypeKind.Decimal,
        [typeof(string)] = EdmPrimitiveTypeKind.String,
        [typeof(Guid)] = EdmPrimitiveTypeKind.Guid,
        [typeof(DateTimeOffset)] = EdmPrimitiveTypeKind.DateTimeOffset,
        // A DateTime serializes as an ISO 8601 timestamp too; literals are compared in UTC.
        [typeof(DateTime)] = EdmPrimitiveTypeKind.DateTimeOffset,
        [typeof(DateOnly)] = EdmPrimitiveTypeKind.Date,
        [typeof(TimeOnly)] = EdmPrimitiveTypeKind.TimeOfDay,
        [typeof(TimeSpan)] = EdmPrimitiveTypeKind.Duration,
    };

    private static readonly Dictionary<EdmPrimitiveTypeKind, Type> ClrTypes = new()
    {
        [EdmPrimitiveTypeKind.Boolean] = typeof(bool),
        [EdmPrimitiveTypeKind.Byte] = typeof(byte),
        [EdmPrimitiveTypeKind.SByte] = typeof(sbyte),
        [EdmPrimitiveTypeKind.Int16] = typeof(short),
        [EdmPrimitiveTypeKind.Int32] = typeof(int),
        [EdmPrimitiveTypeKind.Int64] = typeof(long),
        [EdmPrimitiveTypeKind.Single] = typeof(float),
        [EdmPrimitiveTypeKind.Double] = typeof(double),
        [EdmPrimitiveTypeKind.Decimal] = typeof(decimal),
        [EdmPrimitiveTypeKind.String] = typeof(string),
        [EdmPrimitiveTypeKind.Guid] = typeof(Guid),
        [EdmPrimitiveTypeKind.DateTimeOffset] = typeof(DateTimeOffset),
        [EdmPrimitiveTypeKind.Date] = typeof(DateOnly),
        [EdmPrimitiveTypeKind.TimeOfDay] = typeof(TimeOnly),
        [EdmPrimitiveTypeKind.Duration] = typeof(TimeSpan),
    };

    // Widening order for arithmetic and comparisons between two different numeric types.
    private static readonly Dictionary<Type, int> NumericRanks = new()
    {
        [typeof(byte)] = 1,
        [typeof(sbyte)] = 1,
        [typeof(short)] = 2,
        [typeof(int)] = 3,
        [typeof(long)] = 4,
        [typeof(float)] = 5,
        [typeof(double)] = 6,
        [typeof(decimal)] = 7,
    };

    internal static bool TryGetKind(Type type, out EdmPrimitiveTypeKind kind) => Kinds.TryGetValue(type, out kind);

    internal static bool TryGetClrType(EdmPrimitiveTypeKind kind, [NotNullWhen(true)] out Type? type) => ClrTypes.TryGetValue(kind, out type);

    internal static bool IsNumeric(Type type) => NumericRanks.ContainsKey(type);

    /// <summary>The type both operands of a numeric operation are converted to.</summary>
    internal static Type Wider(Type left, Type right)
    {
        var l = NumericRanks[left];
        var r = NumericRanks[right];
        return l == r ? (l == 1 ? typeof(short) : left) : l > r ? left : right;
    }

    internal static bool IsOrdered(Type type) =>
        IsNumeric(type) || type == typeof(string) || type == typeof(DateTimeOffset) || type == typeof(DateTime)
        || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(TimeSpan) || type.IsEnum;

    /// <summary>The name a client knows a CLR type by: its EDM name.</summary>
    internal static string EdmName(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsEnum ? underlying.Name
            : Kinds.TryGetValue(underlying, out var kind) ? "Edm." + kind
            : underlying.Name;
    }
}
