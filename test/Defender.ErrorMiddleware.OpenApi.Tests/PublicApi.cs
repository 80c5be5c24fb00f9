using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Defender.ErrorMiddleware.Tests.Shared;

/// <summary>Prints an assembly's public surface, one line per member, sorted, so a golden file makes every change deliberate.</summary>
internal static class PublicApi
{
    internal static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct"
                : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : "class";
            var baseType = type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) ? " : " + Name(b) : string.Empty;
            lines.Add($"{kind} {type.FullName}{baseType}");
            const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(flags))
            {
                if (Describe(member) is { } text)
                {
                    lines.Add($"{type.FullName}::{text}");
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines) + "\n";
    }

    private static string? Describe(MemberInfo member)
    {
        switch (member)
        {
            case ConstructorInfo c when c.IsPublic || c.IsFamily:
                return $"{Access(c)} .ctor({Parameters(c)})";
            case MethodInfo m when (m.IsPublic || m.IsFamily) && !m.IsSpecialName:
                return $"{Access(m)}{(m.IsStatic ? " static" : string.Empty)} {Name(m.ReturnType)} {m.Name}{Generic(m)}({Parameters(m)})";
            case PropertyInfo p when p.GetMethod is { } g && (g.IsPublic || g.IsFamily):
                var set = p.SetMethod is { } s && (s.IsPublic || s.IsFamily) ? " set;" : string.Empty;
                return $"{Access(g)}{(g.IsStatic ? " static" : string.Empty)} {Name(p.PropertyType)} {p.Name} {{ get;{set} }}";
            case FieldInfo f when f.IsPublic || f.IsFamily:
                return f.IsLiteral ? $"const {Name(f.FieldType)} {f.Name} = {f.GetRawConstantValue()}" : $"field {Name(f.FieldType)} {f.Name}";
            default:
                return null;
        }
    }

    private static string Access(MethodBase method) => method.IsPublic ? "public" : "protected";

    private static string Generic(MethodInfo method) =>
        method.IsGenericMethodDefinition ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p =>
            (p.GetCustomAttribute<ParamArrayAttribute>() is not null ? "params " : string.Empty) + Name(p.ParameterType) + " " + p.Name
            + (p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)));

    private static string Name(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        var name = type.GetGenericTypeDefinition().FullName!;
        return name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}
