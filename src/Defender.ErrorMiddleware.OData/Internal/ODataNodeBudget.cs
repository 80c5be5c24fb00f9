using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.OData.UriParser;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// One node budget over everything a query makes the database compute: <c>$filter</c>, <c>$orderby</c>, <c>$compute</c>
/// and <c>$select</c>/<c>$expand</c> (with the options nested in them) together. The library bounds only <c>$filter</c>'s nodes
/// (and the number of <c>$orderby</c> keys, not what each key computes), so a single key of 100 leaves, or a computed
/// property sorted on, was free.
/// </summary>
internal static class ODataNodeBudget
{
    /// <summary>
    /// The reason a client reads when the query has more than <paramref name="limit"/> nodes, else <see langword="null"/>.
    /// Parses the options (the library keeps what it parsed); a parse error is the library's <see cref="Microsoft.OData.ODataException"/>.
    /// </summary>
    public static string? Exceeded(ODataQueryOptions options, int limit)
    {
        // $compute first, as the library's validator parses it: the other options may use what it computes.
        var counter = new Counter(limit);
        if (options.Compute?.ComputeClause is { } compute)
        {
            counter.Add(compute);
        }

        if (options.Filter?.FilterClause is { } filter)
        {
            counter.Add(filter.Expression);
        }

        for (var orderBy = options.OrderBy?.OrderByClause; orderBy is not null; orderBy = orderBy.ThenBy)
        {
            counter.Add(orderBy.Expression);
        }

        if (options.SelectExpand?.SelectExpandClause is { } selectExpand)
        {
            counter.Add(selectExpand);
        }

        return counter.Over ? Message(limit) : null;
    }

    private static string Message(int limit) => string.Create(CultureInfo.InvariantCulture,
        $"The query has more than {limit} nodes (properties, literals, operators and function calls) in $filter, $orderby, $compute, $select and $expand together.");

    private sealed class Counter(int limit)
    {
        private int _count;

        /// <summary>Past the limit: counting stops, so a huge query costs no more than a query at the limit.</summary>
        public bool Over => _count > limit;

        public void Add(ComputeClause compute)
        {
            foreach (var item in compute.ComputedItems)
            {
                Add(item.Expression);
            }
        }

        public void Add(SelectExpandClause clause)
        {
            RuntimeHelpers.EnsureSufficientExecutionStack();
            foreach (var item in clause.SelectedItems)
            {
                if (Over)
                {
                    return;
                }

                _count++;
                switch (item)
                {
                    case ExpandedNavigationSelectItem expand:
                        AddNested(expand.FilterOption, expand.OrderByOption, expand.ComputeOption, expand.SelectAndExpand);
                        break;
                    case PathSelectItem select:
                        AddNested(select.FilterOption, select.OrderByOption, select.ComputeOption, select.SelectAndExpand);
                        break;
                }
            }
        }

        public void Add(QueryNode? node)
        {
            if (node is null || Over)
            {
                return;
            }

            RuntimeHelpers.EnsureSufficientExecutionStack();
            _count++;
            switch (node)
            {
                case BinaryOperatorNode binary:
                    Add(binary.Left);
                    Add(binary.Right);
                    break;
                case UnaryOperatorNode unary:
                    Add(unary.Operand);
                    break;
                case ConvertNode convert:
                    Add(convert.Source);
                    break;
                case InNode inNode:
                    Add(inNode.Left);
                    Add(inNode.Right);
                    break;
                case CollectionConstantNode constants:
                    foreach (var constant in constants.Collection)
                    {
                        Add(constant);
                    }

                    break;
                case LambdaNode lambda:
                    Add(lambda.Source);
                    Add(lambda.Body);
                    break;
                case SingleValueFunctionCallNode function:
                    AddAll(function.Parameters);
                    Add(function.Source);
                    break;
                case SingleResourceFunctionCallNode function:
                    AddAll(function.Parameters);
                    Add(function.Source);
                    break;
                case CollectionFunctionCallNode function:
                    AddAll(function.Parameters);
                    Add(function.Source);
                    break;
                case CollectionResourceFunctionCallNode function:
                    AddAll(function.Parameters);
                    Add(function.Source);
                    break;
                case NamedFunctionParameterNode parameter:
                    Add(parameter.Value);
                    break;
                case CountNode count:
                    Add(count.Source);
                    Add(count.FilterClause?.Expression);
                    break;
                case SingleValuePropertyAccessNode property:
                    Add(property.Source);
                    break;
                case SingleValueOpenPropertyAccessNode property:
                    Add(property.Source);
                    break;
                case CollectionPropertyAccessNode property:
                    Add(property.Source);
                    break;
                case SingleComplexNode complex:
                    Add(complex.Source);
                    break;
                case CollectionComplexNode complex:
                    Add(complex.Source);
                    break;
                case SingleNavigationNode navigation:
                    Add(navigation.Source);
                    break;
                case CollectionNavigationNode navigation:
                    Add(navigation.Source);
                    break;
                case SingleResourceCastNode cast:
                    Add(cast.Source);
                    break;
                case CollectionResourceCastNode cast:
                    Add(cast.Source);
                    break;
            }
        }

        private void AddNested(FilterClause? filter, OrderByClause? orderBy, ComputeClause? compute, SelectExpandClause? selectExpand)
        {
            Add(filter?.Expression);
            for (; orderBy is not null; orderBy = orderBy.ThenBy)
            {
                Add(orderBy.Expression);
            }

            if (compute is not null)
            {
                Add(compute);
            }

            if (selectExpand is not null)
            {
                Add(selectExpand);
            }
        }

        private void AddAll(IEnumerable<QueryNode> nodes)
        {
            foreach (var node in nodes)
            {
                Add(node);
            }
        }
    }
}
