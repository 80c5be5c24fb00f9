using System.Reflection;
using System.Text;
using Defender.ErrorMiddleware.Tests.Infrastructure;

namespace Defender.ErrorMiddleware.Tests;

/// <summary>Every change to the public surface must be deliberate: it shows up as a change to the golden file.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_MatchesGoldenFile() =>
        RepositoryFiles.AssertMatches("test/Defender.ErrorMiddleware.Tests/PublicApi/Defender.ErrorMiddleware.txt", Describe(typeof(DefenderException).Assembly));

    internal static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var kind = type.IsEnum ? "enum" : type.IsValueType ? "struct" : type.IsInterface ? "interface"
                : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : type.IsAbstract ? "abstract class" : "class";
            var bases = new List<string>();
            if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
            {
                bases.Add(Name(baseType));
            }

            bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
            text.Append(kind).Append(' ').Append(Name(type)).Append(bases.Count > 0 ? " : " + string.Join(", ", bases) : "").Append('\n');
            const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = type.IsEnum
                ? type.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name)
                : type.GetMembers(Flags).Where(m => m is not MethodInfo { IsSpecialName: true }).Select(Member);
            foreach (var member in members.Order(StringComparer.Ordinal))
            {
                text.Append("  ").Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Member(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c)})",
        MethodInfo m => $"{(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}{(m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(Name)) + ">" : "")}({Parameters(m)})",
        PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : "")}{(p.SetMethod?.IsPublic == true ? "set; " : "")}}}",
        FieldInfo f => $"{(f.IsStatic ? "static " : "")}{(f.IsLiteral ? "const " : "")}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type t => $"nested {Name(t)}",
        _ => member.ToString() ?? member.Name,
    };

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Name(Type type)
    {
        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (type.IsByRef)
        {
            return "ref " + Name(type.GetElementType()!);
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        var name = (type.Namespace is null ? "" : type.Namespace + ".") + (type.IsNested ? Name(type.DeclaringType!) + "+" : "") + type.Name;
        if (type.IsNested)
        {
            name = Name(type.DeclaringType!) + "+" + type.Name;
        }

        if (!type.IsGenericType)
        {
            return name;
        }

        return name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}
