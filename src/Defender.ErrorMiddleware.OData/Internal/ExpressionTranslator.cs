using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;

namespace Defender.ErrorMiddleware.OData.Internal;

/// <summary>
/// Translates the parser's semantic tree into a LINQ expression over the entity, built only from operators, members and
/// methods EF Core translates to SQL. Literals stay constants here; <see cref="ConstantParameterizer"/> turns them into
/// parameters afterwards. A sub-expression made only of literals is evaluated here, so that its failure (a division by
/// zero, a substring out of range) is the client's ODataError and not the database's 500.
/// </summary>
internal sealed class ExpressionTranslator
{
    private static readonly MethodInfo StringCompare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;
    private static readonly MethodInfo StringConcat = typeof(string).GetMethod(nameof(string.Concat), [typeof(string), typeof(string)])!;
    private static readonly MethodInfo EnumerableContains = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 2);

    private readonly EntityModel _model;
    private readonly int _maxNodes;
    private readonly string _option;
    private int _nodes;

    public ExpressionTranslator(EntityModel model, ParameterExpression it, int maxNodes, string option)
    {
        _model = model;
        It = it;
        _maxNodes = maxNodes;
        _option = option;
    }

    public ParameterExpression It { get; }

    public Expression TranslatePredicate(SingleValueNode node) => AsBoolean(Translate(node), "$filter");

    public Expression Translate(QueryNode node)
    {
        if (++_nodes > _maxNodes)
        {
            throw ODataErrors.Create($"The node count limit of '{_maxNodes}' has been exceeded in the {_option} query option.");
        }

        return node switch
        {
            ConstantNode constant => Constant(constant),
            ConvertNode convert => ConvertTo(Translate(convert.Source), convert.TypeReference),
            SingleValuePropertyAccessNode property => Property(property),
            BinaryOperatorNode binary => Binary(binary),
            UnaryOperatorNode unary => Unary(unary),
            SingleValueFunctionCallNode function => Function(function),
            InNode @in => In(@in),
            ParameterAliasNode alias => throw ODataErrors.Create($"Parameter aliases such as '{alias.Alias}' are not supported."),
            _ => throw ODataErrors.Create($"The query expression kind '{node.Kind}' is not supported."),
        };
    }

    private MemberExpression Property(SingleValuePropertyAccessNode node)
    {
        if (node.Source is not ResourceRangeVariableReferenceNode)
        {
            throw ODataErrors.Create($"The property path to '{node.Property.Name}' is not supported.");
        }

        return Expression.Property(It, _model.GetProperty(node.Property).Property);
    }

    private ConstantExpression Constant(ConstantNode node)
    {
        object? value = node.Value switch
        {
            null => null,
            Date date => new DateOnly(date.Year, date.Month, date.Day),
            TimeOfDay time => new TimeOnly(time.Ticks),
            ODataEnumValue enumValue => ParseEnum(ClrType(node.TypeReference), enumValue.Value),
            bool or byte or sbyte or short or int or long or float or double or decimal or string or Guid or DateTimeOffset or TimeSpan => node.Value,
            _ => throw ODataErrors.Create($"The literal '{node.LiteralText}' is not supported."),
        };

        if (value is null)
        {
            return Expression.Constant(null, node.TypeReference is null ? typeof(object) : MakeNullable(ClrType(node.TypeReference)));
        }

        return Expression.Constant(value);
    }

    private Expression ConvertTo(Expression expression, IEdmTypeReference target)
    {
        var targetType = ClrType(target);
        var underlying = Underlying(expression.Type);
        if (underlying == targetType
            || (target.IsPrimitive() && EdmTypes.TryGetKind(underlying, out var kind) && kind == target.AsPrimitive().PrimitiveKind()))
        {
            return expression;
        }

        if (expression is ConstantExpression constant)
        {
            return ChangeConstant(constant.Value, targetType);
        }

        if (EdmTypes.IsNumeric(underlying) && EdmTypes.IsNumeric(targetType))
        {
            return Expression.Convert(expression, IsNullableValue(expression.Type) ? MakeNullable(targetType) : targetType);
        }

        throw ODataErrors.Create($"A value of type '{EdmTypes.EdmName(expression.Type)}' cannot be converted to '{EdmTypes.EdmName(targetType)}'.");
    }

    private Expression Binary(BinaryOperatorNode node)
    {
        var left = Translate(node.Left);
        var right = Translate(node.Right);
        var name = OperatorName(node.OperatorKind);
        Expression result;
        switch (node.OperatorKind)
        {
            case BinaryOperatorKind.And:
            case BinaryOperatorKind.Or:
                left = AsBoolean(left, name);
                right = AsBoolean(right, name);
                result = node.OperatorKind == BinaryOperatorKind.And ? Expression.AndAlso(left, right) : Expression.OrElse(left, right);
                break;

            case BinaryOperatorKind.Equal:
            case BinaryOperatorKind.NotEqual:
                Unify(ref left, ref right, name);
                result = node.OperatorKind == BinaryOperatorKind.Equal ? Expression.Equal(left, right) : Expression.NotEqual(left, right);
                break;

            case BinaryOperatorKind.GreaterThan:
            case BinaryOperatorKind.GreaterThanOrEqual:
            case BinaryOperatorKind.LessThan:
            case BinaryOperatorKind.LessThanOrEqual:
                Unify(ref left, ref right, name);
                result = Compare(node.OperatorKind, left, right, name);
                break;

            case BinaryOperatorKind.Add:
            case BinaryOperatorKind.Subtract:
            case BinaryOperatorKind.Multiply:
            case BinaryOperatorKind.Divide:
            case BinaryOperatorKind.Modulo:
                Unify(ref left, ref right, name);
                result = Arithmetic(node.OperatorKind, ref left, ref right, name);
                break;

            case BinaryOperatorKind.Has:
                Unify(ref left, ref right, name);
                result = Has(left, right, name);
                break;

            default:
                throw ODataErrors.Create($"The operator '{name}' is not supported.");
        }

        return Fold(result, left, right);
    }

    private static BinaryExpression Compare(BinaryOperatorKind kind, Expression left, Expression right, string name)
    {
        var type = Underlying(left.Type);
        if (type == typeof(string))
        {
            // EF Core translates string.Compare(a, b) > 0 to a > b.
            left = Expression.Call(StringCompare, left, right);
            right = Expression.Constant(0);
        }
        else if (type.IsEnum)
        {
            left = ToUnderlyingEnumType(left);
            right = ToUnderlyingEnumType(right);
        }
        else if (!EdmTypes.IsOrdered(type))
        {
            throw ODataErrors.Create($"The operator '{name}' cannot compare values of type '{EdmTypes.EdmName(type)}'.");
        }

        return kind switch
        {
            BinaryOperatorKind.GreaterThan => Expression.GreaterThan(left, right),
            BinaryOperatorKind.GreaterThanOrEqual => Expression.GreaterThanOrEqual(left, right),
            BinaryOperatorKind.LessThan => Expression.LessThan(left, right),
            _ => Expression.LessThanOrEqual(left, right),
        };
    }

    private static BinaryExpression Arithmetic(BinaryOperatorKind kind, ref Expression left, ref Expression right, string name)
    {
        var type = Underlying(left.Type);
        if (!EdmTypes.IsNumeric(type))
        {
            throw ODataErrors.Create($"The operator '{name}' is not supported for values of type '{EdmTypes.EdmName(type)}'.");
        }

        if (type == typeof(byte) || type == typeof(sbyte) || type == typeof(short))
        {
            // As in C#, small integers are computed as Int32.
            left = ToNumeric(left, typeof(int));
            right = ToNumeric(right, typeof(int));
            type = typeof(int);
        }

        if (kind is BinaryOperatorKind.Divide or BinaryOperatorKind.Modulo
            && type != typeof(double) && type != typeof(float)
            && right is ConstantExpression { Value: { } divisor } && Convert.ToDecimal(divisor, CultureInfo.InvariantCulture) == 0)
        {
            throw ODataErrors.Create($"The operator '{name}' divides by zero.");
        }

        return kind switch
        {
            BinaryOperatorKind.Add => Expression.Add(left, right),
            BinaryOperatorKind.Subtract => Expression.Subtract(left, right),
            BinaryOperatorKind.Multiply => Expression.Multiply(left, right),
            BinaryOperatorKind.Divide => Expression.Divide(left, right),
            _ => Expression.Modulo(left, right),
        };
    }

    private static BinaryExpression Has(Expression left, Expression right, string name)
    {
        if (!Underlying(left.Type).IsEnum)
        {
            throw ODataErrors.Create($"The operator '{name}' needs enumeration operands.");
        }

        var value = ToUnderlyingEnumType(right);
        return Expression.Equal(Expression.And(ToUnderlyingEnumType(left), value), value);
    }

    private Expression Unary(UnaryOperatorNode node)
    {
        var operand = Translate(node.Operand);
        Expression result;
        if (node.OperatorKind == UnaryOperatorKind.Not)
        {
            operand = AsBoolean(operand, "not");
            result = Expression.Not(operand);
        }
        else
        {
            var type = Underlying(operand.Type);
            if (!EdmTypes.IsNumeric(type))
            {
                throw ODataErrors.Create($"The operator '-' is not supported for values of type '{EdmTypes.EdmName(type)}'.");
            }

            if (type == typeof(byte) || type == typeof(sbyte) || type == typeof(short))
            {
                operand = ToNumeric(operand, typeof(int));
            }

            result = Expression.Negate(operand);
        }

        return Fold(result, operand);
    }

    private Expression Function(SingleValueFunctionCallNode node)
    {
        var name = node.Name;
        var arguments = node.Parameters.Select(Translate).ToArray();
        var returnsBoolean = name is "contains" or "startswith" or "endswith";

        // OData: a function of null is null; a Boolean function of null is false.
        if (arguments.Any(a => a is ConstantExpression { Value: null }) && IsKnownFunction(name))
        {
            return returnsBoolean ? Expression.Constant(false) : Expression.Constant(null, MakeNullable(ReturnType(name, arguments)));
        }

        Expression result = name switch
        {
            "contains" => StringCall(nameof(string.Contains), arguments, 2, name),
            "startswith" => StringCall(nameof(string.StartsWith), arguments, 2, name),
            "endswith" => StringCall(nameof(string.EndsWith), arguments, 2, name),
            "indexof" => StringCall(nameof(string.IndexOf), arguments, 2, name),
            "tolower" => StringCall(nameof(string.ToLower), arguments, 1, name),
            "toupper" => StringCall(nameof(string.ToUpper), arguments, 1, name),
            "trim" => StringCall(nameof(string.Trim), arguments, 1, name),
            "length" => Expression.Property(StringArgument(arguments, 0, 1, name), nameof(string.Length)),
            "concat" => Expression.Call(StringConcat, StringArgument(arguments, 0, 2, name), StringArgument(arguments, 1, 2, name)),
            "substring" => Substring(arguments, name),
            "year" or "month" or "day" or "hour" or "minute" or "second" => DatePart(arguments, name),
            "round" or "floor" or "ceiling" => Rounding(arguments, name),
            _ => throw ODataErrors.Create($"The function '{name}' is not supported."),
        };

        return Fold(result, arguments);
    }

    private static bool IsKnownFunction(string name) => name is "contains" or "startswith" or "endswith" or "indexof" or "tolower"
        or "toupper" or "trim" or "length" or "concat" or "substring" or "year" or "month" or "day" or "hour" or "minute"
        or "second" or "round" or "floor" or "ceiling";

    private static Type ReturnType(string name, Expression[] arguments) => name switch
    {
        "tolower" or "toupper" or "trim" or "concat" or "substring" => typeof(string),
        "round" or "floor" or "ceiling" => arguments.Length == 1 && Underlying(arguments[0].Type) == typeof(decimal) ? typeof(decimal) : typeof(double),
        _ => typeof(int),
    };

    private static MethodCallExpression StringCall(string method, Expression[] arguments, int count, string name)
    {
        var target = StringArgument(arguments, 0, count, name);
        var rest = Enumerable.Range(1, count - 1).Select(i => StringArgument(arguments, i, count, name)).ToArray();
        var info = typeof(string).GetMethod(method, [.. rest.Select(static _ => typeof(string))])!;
        return Expression.Call(target, info, rest);
    }

    private static Expression StringArgument(Expression[] arguments, int index, int count, string name)
    {
        if (arguments.Length != count)
        {
            throw ODataErrors.Create($"The function '{name}' takes {count} argument(s).");
        }

        return arguments[index].Type == typeof(string)
            ? arguments[index]
            : throw ODataErrors.Create($"The function '{name}' takes string arguments.");
    }

    private static MethodCallExpression Substring(Expression[] arguments, string name)
    {
        if (arguments.Length is not (2 or 3))
        {
            throw ODataErrors.Create($"The function '{name}' takes 2 or 3 arguments.");
        }

        var target = StringArgument(arguments, 0, arguments.Length, name);
        var rest = arguments.Skip(1).Select(a => EdmTypes.IsNumeric(Underlying(a.Type)) && !IsNullableValue(a.Type)
            ? ToNumeric(a, typeof(int))
            : throw ODataErrors.Create($"The function '{name}' takes integer positions.")).ToArray();
        var info = typeof(string).GetMethod(nameof(string.Substring), [.. rest.Select(static _ => typeof(int))])!;
        return Expression.Call(target, info, rest);
    }

    private static Expression DatePart(Expression[] arguments, string name)
    {
        if (arguments.Length != 1)
        {
            throw ODataErrors.Create($"The function '{name}' takes 1 argument.");
        }

        var argument = arguments[0];
        var type = Underlying(argument.Type);
        var member = name switch
        {
            "year" => nameof(DateTime.Year),
            "month" => nameof(DateTime.Month),
            "day" => nameof(DateTime.Day),
            "hour" => nameof(DateTime.Hour),
            "minute" => nameof(DateTime.Minute),
            _ => nameof(DateTime.Second),
        };
        var valid = type == typeof(DateTimeOffset) || type == typeof(DateTime)
            || (type == typeof(DateOnly) && name is "year" or "month" or "day")
            || (type == typeof(TimeOnly) && name is "hour" or "minute" or "second");
        if (!valid)
        {
            throw ODataErrors.Create($"The function '{name}' is not supported for values of type '{EdmTypes.EdmName(type)}'.");
        }

        if (IsNullableValue(argument.Type))
        {
            // Member access on a nullable column: EF Core propagates the null.
            var value = Expression.Property(argument, nameof(Nullable<int>.Value));
            return Expression.Convert(Expression.Property(value, member), typeof(int?));
        }

        return Expression.Property(argument, member);
    }

    private static Expression Rounding(Expression[] arguments, string name)
    {
        if (arguments.Length != 1)
        {
            throw ODataErrors.Create($"The function '{name}' takes 1 argument.");
        }

        var argument = arguments[0];
        var type = Underlying(argument.Type);
        if (!EdmTypes.IsNumeric(type))
        {
            throw ODataErrors.Create($"The function '{name}' is not supported for values of type '{EdmTypes.EdmName(type)}'.");
        }

        var target = type == typeof(decimal) ? typeof(decimal) : typeof(double);
        argument = ToNumeric(argument, IsNullableValue(argument.Type) ? MakeNullable(target) : target);
        var method = name switch { "round" => nameof(Math.Round), "floor" => nameof(Math.Floor), _ => nameof(Math.Ceiling) };
        if (IsNullableValue(argument.Type))
        {
            var value = Expression.Property(argument, nameof(Nullable<int>.Value));
            var call = Expression.Call(typeof(Math).GetMethod(method, [target])!, value);
            return Expression.Condition(
                Expression.Property(argument, nameof(Nullable<int>.HasValue)),
                Expression.Convert(call, MakeNullable(target)),
                Expression.Constant(null, MakeNullable(target)));
        }

        return Expression.Call(typeof(Math).GetMethod(method, [target])!, argument);
    }

    private Expression In(InNode node)
    {
        var left = Translate(node.Left);
        if (node.Right is not CollectionConstantNode collection)
        {
            throw ODataErrors.Create($"The operator 'in' needs a list of literals.");
        }

        _nodes += collection.Collection.Count;
        if (_nodes > _maxNodes)
        {
            throw ODataErrors.Create($"The node count limit of '{_maxNodes}' has been exceeded in the {_option} query option.");
        }

        var values = collection.Collection.Select(Constant).ToList();
        var elementType = Underlying(left.Type);
        if (EdmTypes.IsNumeric(elementType))
        {
            foreach (var value in values)
            {
                if (EdmTypes.IsNumeric(Underlying(value.Type)))
                {
                    elementType = EdmTypes.Wider(elementType, Underlying(value.Type));
                }
            }

            left = ToNumeric(left, IsNullableValue(left.Type) ? MakeNullable(elementType) : elementType);
        }

        var converted = values.Select(v => ChangeConstant(v.Value, elementType)).ToList();
        var arrayType = left.Type;
        if (arrayType.IsValueType && !IsNullableValue(arrayType) && converted.Any(c => c.Value is null))
        {
            arrayType = MakeNullable(arrayType);
            left = Expression.Convert(left, arrayType);
        }

        var array = Array.CreateInstance(arrayType, converted.Count);
        for (var i = 0; i < converted.Count; i++)
        {
            array.SetValue(converted[i].Value, i);
        }

        var contains = Expression.Call(EnumerableContains.MakeGenericMethod(arrayType), Expression.Constant(array), left);
        return Fold(contains, left);
    }

    private static Expression AsBoolean(Expression expression, string name)
    {
        if (expression.Type == typeof(bool))
        {
            return expression;
        }

        if (expression.Type == typeof(bool?))
        {
            return expression is ConstantExpression constant
                ? Expression.Constant(constant.Value is true)
                : Expression.Equal(expression, Expression.Constant(true, typeof(bool?)));
        }

        if (expression is ConstantExpression { Value: null })
        {
            return Expression.Constant(false);
        }

        throw ODataErrors.Create($"The operands of '{name}' must be Boolean values.");
    }

    private static void Unify(ref Expression left, ref Expression right, string name)
    {
        var l = Underlying(left.Type);
        var r = Underlying(right.Type);
        if (l != r)
        {
            if (EdmTypes.IsNumeric(l) && EdmTypes.IsNumeric(r))
            {
                var wider = EdmTypes.Wider(l, r);
                left = ToNumeric(left, IsNullableValue(left.Type) ? MakeNullable(wider) : wider);
                right = ToNumeric(right, IsNullableValue(right.Type) ? MakeNullable(wider) : wider);
            }
            else if (right is ConstantExpression rightConstant)
            {
                right = ChangeConstant(rightConstant.Value, l);
            }
            else if (left is ConstantExpression leftConstant)
            {
                left = ChangeConstant(leftConstant.Value, r);
            }
            else
            {
                throw Incompatible(name, left.Type, right.Type);
            }
        }

        if (left.Type != right.Type)
        {
            if (IsNullableValue(left.Type))
            {
                right = Lift(right, left.Type);
            }
            else if (IsNullableValue(right.Type))
            {
                left = Lift(left, right.Type);
            }
            else
            {
                throw Incompatible(name, left.Type, right.Type);
            }
        }
    }

    private static ODataException Incompatible(string name, Type left, Type right) =>
        ODataErrors.Create($"The operator '{name}' cannot combine values of type '{EdmTypes.EdmName(left)}' and '{EdmTypes.EdmName(right)}'.");

    private static Expression Lift(Expression expression, Type nullableType) =>
        expression is ConstantExpression constant ? Expression.Constant(constant.Value, nullableType) : Expression.Convert(expression, nullableType);

    private static Expression ToNumeric(Expression expression, Type type)
    {
        if (expression.Type == type)
        {
            return expression;
        }

        return expression is ConstantExpression constant
            ? ChangeConstant(constant.Value, Underlying(type), type)
            : Expression.Convert(expression, type);
    }

    private static Expression ToUnderlyingEnumType(Expression expression)
    {
        var underlying = Enum.GetUnderlyingType(Underlying(expression.Type));
        var type = IsNullableValue(expression.Type) ? MakeNullable(underlying) : underlying;
        return expression is ConstantExpression constant
            ? Expression.Constant(constant.Value is null ? null : Convert.ChangeType(constant.Value, underlying, CultureInfo.InvariantCulture), type)
            : Expression.Convert(expression, type);
    }

    private static ConstantExpression ChangeConstant(object? value, Type target, Type? resultType = null)
    {
        if (value is null)
        {
            return Expression.Constant(null, resultType ?? MakeNullable(target));
        }

        resultType ??= target;
        if (value.GetType() == target)
        {
            return Expression.Constant(value, resultType);
        }

        object converted;
        try
        {
            converted = value switch
            {
                DateTimeOffset dateTimeOffset when target == typeof(DateTime) => dateTimeOffset.UtcDateTime,
                DateOnly date when target == typeof(DateTimeOffset) => new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
                DateOnly date when target == typeof(DateTime) => date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                string text when target.IsEnum => ParseEnum(target, text),
                _ when EdmTypes.IsNumeric(value.GetType()) && EdmTypes.IsNumeric(target) => Convert.ChangeType(value, target, CultureInfo.InvariantCulture),
                _ => throw ODataErrors.Create(
                    $"A value of type '{EdmTypes.EdmName(value.GetType())}' cannot be compared with a value of type '{EdmTypes.EdmName(target)}'."),
            };
        }
        catch (OverflowException)
        {
            throw ODataErrors.Create($"The literal '{value}' is out of range for type '{EdmTypes.EdmName(target)}'.");
        }

        return Expression.Constant(converted, resultType);
    }

    private static object ParseEnum(Type enumType, string text) =>
        enumType.IsEnum && Enum.TryParse(enumType, text, ignoreCase: false, out var value) && value is not null
            ? value
            : throw ODataErrors.Create($"The string '{text}' is not a valid enumeration type constant.");

    private Type ClrType(IEdmTypeReference type)
    {
        if (type.IsEnum())
        {
            return _model.GetEnumType(type.Definition)
                ?? throw ODataErrors.Create($"The type '{type.FullName()}' is not supported.");
        }

        return type.IsPrimitive() && EdmTypes.TryGetClrType(type.AsPrimitive().PrimitiveKind(), out var clrType)
            ? clrType
            : throw ODataErrors.Create($"The type '{type.FullName()}' is not supported.");
    }

    /// <summary>Evaluates an expression whose operands are all literals, so a failure is the client's, found here.</summary>
    private static Expression Fold(Expression expression, params Expression[] operands)
    {
        if (operands.Length == 0 || !operands.All(static o => o is ConstantExpression))
        {
            return expression;
        }

        object? value;
        try
        {
            // The interpreter avoids emitting IL for each request; the node limit keeps the work small.
            value = Expression.Lambda<Func<object?>>(Expression.Convert(expression, typeof(object))).Compile(preferInterpretation: true)();
        }
#pragma warning disable CA1031 // Whatever a literal-only expression throws (DivideByZero, ArgumentOutOfRange…) is the client's error.
        catch (Exception exception) when (exception is not ODataException)
#pragma warning restore CA1031
        {
            throw ODataErrors.Create($"A part of the query made only of literals cannot be evaluated: {exception.GetType().Name}.");
        }

        return Expression.Constant(value, expression.Type);
    }

    private static string OperatorName(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Or => "or",
        BinaryOperatorKind.And => "and",
        BinaryOperatorKind.Equal => "eq",
        BinaryOperatorKind.NotEqual => "ne",
        BinaryOperatorKind.GreaterThan => "gt",
        BinaryOperatorKind.GreaterThanOrEqual => "ge",
        BinaryOperatorKind.LessThan => "lt",
        BinaryOperatorKind.LessThanOrEqual => "le",
        BinaryOperatorKind.Add => "add",
        BinaryOperatorKind.Subtract => "sub",
        BinaryOperatorKind.Multiply => "mul",
        BinaryOperatorKind.Divide => "div",
        BinaryOperatorKind.Modulo => "mod",
        BinaryOperatorKind.Has => "has",
        _ => kind.ToString(),
    };

    private static Type Underlying(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    private static bool IsNullableValue(Type type) => Nullable.GetUnderlyingType(type) is not null;

    private static Type MakeNullable(Type type) =>
        type.IsValueType && Nullable.GetUnderlyingType(type) is null ? typeof(Nullable<>).MakeGenericType(type) : type;
}
