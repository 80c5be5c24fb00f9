using System.Reflection;
using System.Reflection.Emit;
using Defender.ErrorMiddleware.Catalog;
using Defender.ErrorMiddleware.Internal;

namespace Defender.ErrorMiddleware.Tests;

/// <summary>
/// The error pipeline (catalog → writer → log, namespace <c>Internal</c>) never calls up into input handling (namespace
/// <c>Validation</c>): input translation depends on the pipeline, not the other way round. Read from the compiled core,
/// every type the pipeline's types name in their signatures, fields, locals and method bodies (lambdas and state
/// machines included, as nested types).
/// </summary>
public sealed class LayeringTests
{
    private const string Pipeline = "Defender.ErrorMiddleware.Internal";
    private const string Input = "Defender.ErrorMiddleware.Validation";

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(static field => (OpCode)field.GetValue(null)!)
        .ToDictionary(static code => code.Value);

    [Fact]
    public void Pipeline_ReferencesNoInputType()
    {
        var upward = References(Pipeline)
            .Where(static reference => reference.To.Namespace == Input)
            .Select(static reference => $"{reference.From} -> {reference.To.FullName}")
            .Distinct()
            .ToList();

        Assert.True(upward.Count == 0, "The pipeline calls up into input handling:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void References_SeeWhatThePipelineUses()
    {
        // The test above can fail: the same reading finds what the pipeline does use, in bodies and in signatures.
        var used = References(Pipeline).Select(static reference => reference.To).ToHashSet();

        Assert.Contains(typeof(DefenderErrorCatalog), used);
        Assert.Contains(typeof(DefenderErrorWriter), used);
        Assert.Contains(typeof(Microsoft.Extensions.Logging.ILogger), used);
    }

    private static IEnumerable<(string From, Type To)> References(string ns)
    {
        const BindingFlags declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        foreach (var type in typeof(DefenderErrorOptions).Assembly.GetTypes().Where(t => t.Namespace == ns))
        {
            var signature = new List<Type?> { type.BaseType };
            signature.AddRange(type.GetInterfaces());
            signature.AddRange(type.GetFields(declared).Select(static f => f.FieldType));
            signature.AddRange(type.GetProperties(declared).Select(static p => p.PropertyType));
            foreach (var to in signature.SelectMany(Flatten))
            {
                yield return (type.FullName!, to);
            }

            foreach (var method in type.GetMethods(declared).Cast<MethodBase>().Concat(type.GetConstructors(declared)))
            {
                var from = $"{type.FullName}.{method.Name}";
                var types = method.GetParameters().Select(static p => p.ParameterType).ToList();
                if (method is MethodInfo info)
                {
                    types.Add(info.ReturnType);
                }

                if (method.GetMethodBody() is { } body)
                {
                    types.AddRange(body.LocalVariables.Select(static l => l.LocalType));
                    types.AddRange(BodyReferences(method, body.GetILAsByteArray()!));
                }

                foreach (var to in types.SelectMany(Flatten))
                {
                    yield return (from, to);
                }
            }
        }
    }

    /// <summary>The types named by the tokens of a method body's field, method, type and token instructions.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method, byte[] il)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var offset = 0; offset < il.Length;)
        {
            var code = il[offset] == 0xFE ? OpCodesByValue[unchecked((short)(0xFE00 | il[offset + 1]))] : OpCodesByValue[il[offset]];
            offset += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, offset), typeArguments, methodArguments);
                    switch (member)
                    {
                        case Type type:
                            yield return type;
                            break;
                        case FieldInfo field:
                            yield return field.DeclaringType!;
                            yield return field.FieldType;
                            break;
                        case MethodBase called:
                            yield return called.DeclaringType!;
                            if (called.IsGenericMethod)
                            {
                                foreach (var argument in called.GetGenericArguments())
                                {
                                    yield return argument;
                                }
                            }

                            break;
                    }

                    offset += 4;
                    break;
                case OperandType.InlineSwitch:
                    offset += 4 + (4 * BitConverter.ToInt32(il, offset));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    offset += 1;
                    break;
                case OperandType.InlineVar:
                    offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    offset += 8;
                    break;
                default:
                    offset += 4;
                    break;
            }
        }
    }

    /// <summary>A type with its element type and generic arguments (<c>Task&lt;Validation.X&gt;</c> names X too).</summary>
    private static IEnumerable<Type> Flatten(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        yield return type;
        if (type.HasElementType)
        {
            foreach (var inner in Flatten(type.GetElementType()))
            {
                yield return inner;
            }
        }

        if (type.IsConstructedGenericType)
        {
            foreach (var inner in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return inner;
            }
        }
    }
}
