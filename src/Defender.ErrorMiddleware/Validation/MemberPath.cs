using System.Globalization;
using System.Text;

namespace Defender.ErrorMiddleware.Validation;

/// <summary>
/// Where a value sits below the body or the bound model, for the one error's message: <c>Indicators[2].IndicatorValue</c>.
/// Kept as segments while walking and made into a string only for an error; shared by the body scan and the model validator.
/// </summary>
internal sealed class MemberPath
{
    private readonly List<(string? Name, int Index)> _segments = new(8);

    internal void Clear() => _segments.Clear();

    internal void PushName(string name) => _segments.Add((name, -1));

    internal void PushIndex(int index) => _segments.Add((null, index));

    internal void Pop() => _segments.RemoveAt(_segments.Count - 1);

    /// <summary>The member's name, qualified by the path when it is nested.</summary>
    internal string Join(string name)
    {
        if (_segments.Count == 0)
        {
            return name;
        }

        var builder = new StringBuilder();
        foreach (var (segmentName, index) in _segments)
        {
            if (segmentName is null)
            {
                builder.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                builder.Append(builder.Length > 0 ? "." : string.Empty).Append(segmentName);
            }
        }

        return builder.Append('.').Append(name).ToString();
    }
}
