using System.Linq.Expressions;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Replaces each literal with a member of a closure object, which EF Core sends as a SQL parameter. Literals inlined
/// into SQL would give every distinct query its own cached plan: a client could fill EF Core's query cache.
/// </summary>
internal sealed class ConstantParameterizer : ExpressionVisitor
{
    private static readonly ConstantParameterizer Instance = new();

    public static Expression Parameterize(Expression expression) => Instance.Visit(expression);

    protected override Expression VisitConstant(ConstantExpression node)
    {
        // Null and Booleans stay literals: EF Core turns them into IS NULL and simpler predicates.
        if (node.Value is null or bool)
        {
            return node;
        }

        // SQL has no NaN: SQLite refuses the parameter, others answer differently from .NET. A literal NaN, or one
        // computed from literals (INF sub INF), is the client's error.
        if (node.Value is double.NaN or float.NaN)
        {
            throw ODataErrors.Create("The value NaN is not supported in a query.");
        }

        var holderType = typeof(ParameterHolder<>).MakeGenericType(node.Type);
        var holder = Activator.CreateInstance(holderType, node.Value);
        return Expression.Property(Expression.Constant(holder), nameof(ParameterHolder<int>.Value));
    }
}

/// <summary>The closure object of one parameter.</summary>
/// <typeparam name="TValue">The parameter's type.</typeparam>
internal sealed class ParameterHolder<TValue>(TValue value)
{
    public TValue Value { get; } = value;
}
